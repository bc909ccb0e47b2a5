import Foundation

/// A registered person. The password hash never leaves the store: it is not a property of this type.
public struct User: Sendable, Equatable, Codable {
    public let id: String
    public var email: String
    public var username: String
    public var fullName: String?
    public var preferences: [String: JSONValue]
    public var isActive: Bool
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: String,
        email: String,
        username: String,
        fullName: String?,
        preferences: [String: JSONValue],
        isActive: Bool,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.email = email
        self.username = username
        self.fullName = fullName
        self.preferences = preferences
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, username, preferences
        case fullName = "full_name"
        case isActive = "is_active"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.email, forKey: .email)
        try container.encode(self.username, forKey: .username)
        // Always present (null when unset) so generated clients see a stable shape.
        try container.encode(self.fullName, forKey: .fullName)
        try container.encode(self.preferences, forKey: .preferences)
        try container.encode(self.isActive, forKey: .isActive)
        try container.encode(self.createdAt, forKey: .createdAt)
        try container.encode(self.updatedAt, forKey: .updatedAt)
    }
}
