import Foundation

/// A group of users who share sessions and insights.
public struct Team: Sendable, Equatable, Encodable {
    public let id: String
    public var name: String
    @NullEncoded public var description: String?
    @NullEncoded public var createdBy: String?
    public let createdAt: Date
    public var updatedAt: Date
    public var memberCount: Int
    /// The role of the user the team was loaded for.
    @NullEncoded public var role: TeamRole?

    public init(
        id: String, name: String, description: String?, createdBy: String?, createdAt: Date, updatedAt: Date, memberCount: Int,
        role: TeamRole?
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.memberCount = memberCount
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, role
        case createdBy = "created_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case memberCount = "member_count"
    }
}

/// A member's role in a team: admins manage the team; members and viewers see its sessions and insights.
public enum TeamRole: String, Sendable, Codable, CaseIterable {
    case admin, member, viewer
}

/// One member of a team.
public struct TeamMember: Sendable, Equatable, Encodable {
    public let userID: String
    public let username: String
    public var role: TeamRole
    public let joinedAt: Date

    public init(userID: String, username: String, role: TeamRole, joinedAt: Date) {
        self.userID = userID
        self.username = username
        self.role = role
        self.joinedAt = joinedAt
    }

    enum CodingKeys: String, CodingKey {
        case username, role
        case userID = "user_id"
        case joinedAt = "joined_at"
    }
}

/// What a client sends to create a team or change its name and description.
public struct TeamDraft: Sendable, Decodable {
    public let name: String?
    @NullEncoded public var description: String??

    enum CodingKeys: String, CodingKey {
        case name, description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decodeIfPresentNonNull(String.self, forKey: .name)
        self.description = try container.decodePatch(String.self, forKey: .description)
    }
}

/// An admin adding someone: by user_id, username or email, with a role.
public struct TeamMemberDraft: Sendable, Decodable {
    public let userID: String?
    public let username: String?
    public let email: String?
    public let role: TeamRole

    enum CodingKeys: String, CodingKey {
        case username, email, role
        case userID = "user_id"
    }

    /// A null reference is refused, not read as absent: the contract lets each be left out, not set to null.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.userID = try container.decodeIfPresentNonNull(String.self, forKey: .userID)
        self.username = try container.decodeIfPresentNonNull(String.self, forKey: .username)
        self.email = try container.decodeIfPresentNonNull(String.self, forKey: .email)
        self.role = try container.decode(TeamRole.self, forKey: .role)
    }
}

/// An admin changing a member's role.
public struct TeamRoleChange: Sendable, Decodable {
    public let role: TeamRole
}
