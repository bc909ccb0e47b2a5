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

/// A change to the caller's own profile; absent fields stay as they are.
public struct ProfileUpdate: Sendable, Decodable {
    public let fullName: String?
    public let preferences: [String: JSONValue]?
    public let currentPassword: String?
    public let newPassword: String?

    public init(
        fullName: String? = nil,
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
}
