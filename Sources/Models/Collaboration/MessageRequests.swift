/// A new chat message or code comment. Comments name a file and line; replies name their thread's parent.
public struct MessageDraft: Sendable, Decodable {
    public let type: PostableMessageType?
    public let content: String
    public let parentID: String?
    public let file: String?
    public let line: Int?
    public let codeSnippet: String?

    public init(
        type: PostableMessageType? = nil, content: String, parentID: String? = nil, file: String? = nil, line: Int? = nil, codeSnippet: String? = nil
    ) {
        self.type = type
        self.content = content
        self.parentID = parentID
        self.file = file
        self.line = line
        self.codeSnippet = codeSnippet
    }

    enum CodingKeys: String, CodingKey {
        case type, content, file, line
        case parentID = "parent_id"
        case codeSnippet = "code_snippet"
    }

    /// An absent `type` means chat; null is refused, so the contract can type it as a plain optional enum.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.type = try container.decodeIfPresentNonNull(PostableMessageType.self, forKey: .type)
        self.content = try container.decode(String.self, forKey: .content)
        self.parentID = try container.decodeIfPresent(String.self, forKey: .parentID)
        self.file = try container.decodeIfPresent(String.self, forKey: .file)
        self.line = try container.decodeIfPresent(Int.self, forKey: .line)
        self.codeSnippet = try container.decodeIfPresent(String.self, forKey: .codeSnippet)
    }
}

/// The message types a client may post (system and direct messages come from elsewhere).
public enum PostableMessageType: String, Sendable, Codable, CaseIterable {
    case chat, comment
}

/// New text for one's own message.
public struct MessageEdit: Sendable, Decodable {
    public let content: String

    public init(content: String) {
        self.content = content
    }
}

/// A reaction to add.
public struct ReactionDraft: Sendable, Decodable {
    public let emoji: String

    public init(emoji: String) {
        self.emoji = emoji
    }
}

/// A message to one other user of the session.
public struct DirectMessageDraft: Sendable, Decodable {
    public let toUserID: String
    public let content: String

    public init(toUserID: String, content: String) {
        self.toUserID = toUserID
        self.content = content
    }

    enum CodingKeys: String, CodingKey {
        case content
        case toUserID = "to_user_id"
    }
}

/// Filters of a message listing.
public struct MessageQuery: Sendable, Equatable {
    public var type: MessageType?
    /// Only the replies to this message (a thread).
    public var parentID: String?
    /// Only messages (comments) on this file.
    public var file: String?
    /// Only messages before, or after, this message id.
    public var before: String?
    public var after: String?

    public init() {}
}

/// Counts of a session's conversation.
public struct MessageStats: Sendable, Equatable, Encodable {
    public let total: Int
    public let byType: [String: Int]
    public let threads: Int
    public let replies: Int
    public let reactions: Int
    public let deleted: Int
    public let topEmojis: [EmojiCount]
    public let byUser: [UserMessageCount]

    public init(
        total: Int, byType: [String: Int], threads: Int, replies: Int, reactions: Int, deleted: Int, topEmojis: [EmojiCount],
        byUser: [UserMessageCount]
    ) {
        self.total = total
        self.byType = byType
        self.threads = threads
        self.replies = replies
        self.reactions = reactions
        self.deleted = deleted
        self.topEmojis = topEmojis
        self.byUser = byUser
    }

    enum CodingKeys: String, CodingKey {
        case total, threads, replies, reactions, deleted
        case byType = "by_type"
        case topEmojis = "top_emojis"
        case byUser = "by_user"
    }
}

public struct EmojiCount: Sendable, Equatable, Encodable {
    public let emoji: String
    public let count: Int

    public init(emoji: String, count: Int) {
        self.emoji = emoji
        self.count = count
    }
}

public struct UserMessageCount: Sendable, Equatable, Encodable {
    public let userID: String
    @NullEncoded public var username: String?
    public let messages: Int

    public init(userID: String, username: String?, messages: Int) {
        self.userID = userID
        self.username = username
        self.messages = messages
    }

    enum CodingKeys: String, CodingKey {
        case username, messages
        case userID = "user_id"
    }
}
