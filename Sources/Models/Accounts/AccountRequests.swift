/// What a client sends to register.
public struct Registration: Sendable, Decodable {
    public let email: String
    public let username: String
    public let password: String
    public let fullName: String?

    public init(email: String, username: String, password: String, fullName: String? = nil) {
        self.email = email
        self.username = username
        self.password = password
        self.fullName = fullName
    }

    enum CodingKeys: String, CodingKey {
        case email, username, password
        case fullName = "full_name"
    }
}

/// A change to the caller's own profile; absent fields stay as they are, and a null `full_name` clears it.
public struct ProfileUpdate: Sendable, Decodable {
    /// nil: unchanged; .some(nil): cleared.
    public let fullName: String??
    public let preferences: [String: JSONValue]?
    public let currentPassword: String?
    public let newPassword: String?

    public init(
        fullName: String?? = nil,
        preferences: [String: JSONValue]? = nil,
        currentPassword: String? = nil,
        newPassword: String? = nil
    ) {
        self.fullName = fullName
        self.preferences = preferences
        self.currentPassword = currentPassword
        self.newPassword = newPassword
    }

    enum CodingKeys: String, CodingKey {
        case preferences
        case fullName = "full_name"
        case currentPassword = "current_password"
        case newPassword = "new_password"
    }

    /// Present-but-null is an error for every field but `full_name`, so a null never silently means "unchanged".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.fullName = container.contains(.fullName) ? .some(try container.decode(String?.self, forKey: .fullName)) : nil
        self.preferences = try Self.decodeNonNull([String: JSONValue].self, .preferences, in: container)
        self.currentPassword = try Self.decodeNonNull(String.self, .currentPassword, in: container)
        self.newPassword = try Self.decodeNonNull(String.self, .newPassword, in: container)
    }

    private static func decodeNonNull<Value: Decodable>(
        _ type: Value.Type,
        _ key: CodingKeys,
        in container: KeyedDecodingContainer<CodingKeys>
    ) throws -> Value? {
        container.contains(key) ? try container.decode(type, forKey: key) : nil
    }
}
