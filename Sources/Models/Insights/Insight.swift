import Foundation

/// A lesson, pattern or recommendation shared from a session: with everyone, or with one team.
public struct Insight: Sendable, Equatable, Encodable {
    public let id: String
    public let authorID: String?
    public let authorUsername: String?
    public var teamID: String?
    public var sessionID: String?
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
        case authorID = "author_id"
        case authorUsername = "author_username"
        case teamID = "team_id"
        case sessionID = "session_id"
        case insightType = "insight_type"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.authorID, forKey: .authorID)
        try container.encode(self.authorUsername, forKey: .authorUsername)
        try container.encode(self.teamID, forKey: .teamID)
        try container.encode(self.sessionID, forKey: .sessionID)
        try container.encode(self.insightType, forKey: .insightType)
        try container.encode(self.title, forKey: .title)
        try container.encode(self.content, forKey: .content)
        try container.encode(self.tags, forKey: .tags)
        try container.encode(self.views, forKey: .views)
        try container.encode(self.upvotes, forKey: .upvotes)
        try container.encode(self.upvoted, forKey: .upvoted)
        try container.encode(self.createdAt, forKey: .createdAt)
        try container.encode(self.updatedAt, forKey: .updatedAt)
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
    public let teamID: String?
    public let sessionID: String?

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
    public var teamID: String?
    public var insightType: InsightType?
    public var tag: String?
    public var sessionID: String?
    public var text: String?
    /// Most upvoted first, instead of newest first.
    public var top = false

    public init() {}
}
