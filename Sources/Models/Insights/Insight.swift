import Foundation

/// A lesson, pattern or recommendation shared from a session: with everyone, or with one team.
public struct Insight: Sendable, Equatable, Encodable {
    public let id: String
    @NullEncoded public var authorID: String?
    @NullEncoded public var authorUsername: String?
    @NullEncoded public var teamID: String?
    @NullEncoded public var sessionID: String?
    public var insightType: InsightType
    public var title: String
    public var content: String
    public var tags: [String]
    public var views: Int
    public var upvotes: Int
    /// Whether the user it was loaded for has upvoted it.
    public var upvoted: Bool
    public let createdAt: Date
    public var updatedAt: Date
    /// What SECRET_POLICY masked in the write that answers with it; absent otherwise (not stored).
    public var maskedSecrets: [MaskedSecret]?

    public init(
        id: String, authorID: String?, authorUsername: String?, teamID: String?, sessionID: String?, insightType: InsightType,
        title: String, content: String, tags: [String], views: Int, upvotes: Int, upvoted: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.authorID = authorID
        self.authorUsername = authorUsername
        self.teamID = teamID
        self.sessionID = sessionID
        self.insightType = insightType
        self.title = title
        self.content = content
        self.tags = tags
        self.views = views
        self.upvotes = upvotes
        self.upvoted = upvoted
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, title, content, tags, views, upvotes, upvoted
        case maskedSecrets = "masked_secrets"
        case authorID = "author_id"
        case authorUsername = "author_username"
        case teamID = "team_id"
        case sessionID = "session_id"
        case insightType = "insight_type"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

public enum InsightType: String, Sendable, Codable, CaseIterable {
    case learning, pattern, recommendation
}

/// A new insight, or (every field optional) a change to one.
public struct InsightDraft: Sendable, Decodable {
    public let title: String?
    public let content: String?
    public let insightType: InsightType?
    public let tags: [String]?
    @NullEncoded public var teamID: String?
    @NullEncoded public var sessionID: String?

    enum CodingKeys: String, CodingKey {
        case title, content, tags
        case insightType = "insight_type"
        case teamID = "team_id"
        case sessionID = "session_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.title = try container.decodeIfPresentNonNull(String.self, forKey: .title)
        self.content = try container.decodeIfPresentNonNull(String.self, forKey: .content)
        self.insightType = try container.decodeIfPresentNonNull(InsightType.self, forKey: .insightType)
        self.tags = try container.decodeIfPresentNonNull([String].self, forKey: .tags)
        self.teamID = try container.decodeIfPresent(String.self, forKey: .teamID)
        self.sessionID = try container.decodeIfPresent(String.self, forKey: .sessionID)
    }
}

/// Filters and order of an insight listing.
public struct InsightQuery: Sendable, Equatable {
    @NullEncoded public var teamID: String?
    public var insightType: InsightType?
    public var tag: String?
    @NullEncoded public var sessionID: String?
    public var text: String?
    /// Most upvoted first, instead of newest first.
    public var top = false

    public init() {}
}
