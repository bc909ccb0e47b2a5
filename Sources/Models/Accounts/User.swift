import Foundation

/// A registered person. The password hash never leaves the store: it is not a property of this type.
public struct User: Sendable, Equatable, Encodable {
    public let id: String
    public var email: String
    public var username: String
    @NullEncoded public var fullName: String?
    public var preferences: [String: JSONValue]
    public var isActive: Bool
    public let createdAt: Date
    public var updatedAt: Date
    /// Counts password changes; an access token carries the count it was issued under, and one issued under an
    /// earlier count is refused. (A time would not do: tokens carry whole seconds.) Not on the wire.
    public var credentialsGeneration: Int

    public init(
        id: String,
        email: String,
        username: String,
        fullName: String?,
        preferences: [String: JSONValue],
        isActive: Bool,
        createdAt: Date,
        updatedAt: Date,
        credentialsGeneration: Int = 0
    ) {
        self.id = id
        self.email = email
        self.username = username
        self.fullName = fullName
        self.preferences = preferences
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.credentialsGeneration = credentialsGeneration
    }

    enum CodingKeys: String, CodingKey {
        case id, email, username, preferences
        case fullName = "full_name"
        case isActive = "is_active"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
