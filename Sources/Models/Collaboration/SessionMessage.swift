import Foundation

/// A chat message, code comment, system note or direct message in a session.
public struct SessionMessage: Sendable, Equatable, Encodable {
    public let id: String
    public let sessionID: String
    @NullEncoded public var userID: String?
    @NullEncoded public var username: String?
    public let type: MessageType
    /// nil once deleted: a deleted message keeps its place in threads, not its text.
    @NullEncoded public var content: String?
    public var mentions: [String]
    @NullEncoded public var file: String?
    @NullEncoded public var line: Int?
    @NullEncoded public var codeSnippet: String?
    @NullEncoded public var parentID: String?
    @NullEncoded public var toUserID: String?
    public let createdAt: Date
    @NullEncoded public var editedAt: Date?
    @NullEncoded public var deletedAt: Date?
    public var reactions: [ReactionSummary]
    /// What SECRET_POLICY masked in the write that answers with it (and in that write's event); absent otherwise.
    public var maskedSecrets: [MaskedSecret]?

    public init(
        id: String, sessionID: String, userID: String?, username: String?, type: MessageType, content: String?, mentions: [String],
        file: String?, line: Int?, codeSnippet: String?, parentID: String?, toUserID: String?, createdAt: Date, editedAt: Date?,
        deletedAt: Date?, reactions: [ReactionSummary]
    ) {
        self.id = id
        self.sessionID = sessionID
        self.userID = userID
        self.username = username
        self.type = type
        self.content = content
        self.mentions = mentions
        self.file = file
        self.line = line
        self.codeSnippet = codeSnippet
        self.parentID = parentID
        self.toUserID = toUserID
        self.createdAt = createdAt
        self.editedAt = editedAt
        self.deletedAt = deletedAt
        self.reactions = reactions
    }

    enum CodingKeys: String, CodingKey {
        case id, username, type, content, mentions, file, line, reactions
        case sessionID = "session_id"
        case userID = "user_id"
        case codeSnippet = "code_snippet"
        case parentID = "parent_id"
        case toUserID = "to_user_id"
        case createdAt = "created_at"
        case editedAt = "edited_at"
        case deletedAt = "deleted_at"
        case maskedSecrets = "masked_secrets"
    }
}

public enum MessageType: String, Sendable, Codable, CaseIterable {
    case chat, comment, system, direct
}

/// How many users reacted to a message with one emoji, and who.
public struct ReactionSummary: Sendable, Equatable, Codable {
    public let emoji: String
    public let count: Int
    public let userIDs: [String]

    public init(emoji: String, count: Int, userIDs: [String]) {
        self.emoji = emoji
        self.count = count
        self.userIDs = userIDs
    }

    enum CodingKeys: String, CodingKey {
        case emoji, count
        case userIDs = "user_ids"
    }
}
