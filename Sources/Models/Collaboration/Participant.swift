import Foundation

/// A user's standing in a session: made by a host's invite (or by creating the session, as host).
public struct Participant: Sendable, Equatable, Encodable {
    public let userID: String
    public let username: String
    public var role: SessionRole
    @NullEncoded public var invitedBy: String?
    public let joinedAt: Date
    @NullEncoded public var leftAt: Date?
    @NullEncoded public var lastSeen: Date?
    public var isActive: Bool

    public init(
        userID: String, username: String, role: SessionRole, invitedBy: String?, joinedAt: Date, leftAt: Date?, lastSeen: Date?,
        isActive: Bool
    ) {
        self.userID = userID
        self.username = username
        self.role = role
        self.invitedBy = invitedBy
        self.joinedAt = joinedAt
        self.leftAt = leftAt
        self.lastSeen = lastSeen
        self.isActive = isActive
    }

    enum CodingKeys: String, CodingKey {
        case username, role
        case userID = "user_id"
        case invitedBy = "invited_by"
        case joinedAt = "joined_at"
        case leftAt = "left_at"
        case lastSeen = "last_seen"
        case isActive = "is_active"
    }
}

/// A host's invitation: the user by id or username, and the role to give (editor or viewer; host comes with ownership).
public struct ParticipantInvite: Sendable, Decodable {
    public let userID: String?
    public let username: String?
    public let role: InvitedRole

    enum CodingKeys: String, CodingKey {
        case username, role
        case userID = "user_id"
    }

    /// A null reference is refused, not read as absent: the contract lets each be left out, not set to null.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.userID = try container.decodeIfPresentNonNull(String.self, forKey: .userID)
        self.username = try container.decodeIfPresentNonNull(String.self, forKey: .username)
        self.role = try container.decode(InvitedRole.self, forKey: .role)
    }
}

/// A role change by a host.
public struct ParticipantRoleChange: Sendable, Decodable {
    public let role: InvitedRole
}

/// The roles a host can hand out.
public enum InvitedRole: String, Sendable, Codable, CaseIterable {
    case editor, viewer

    var sessionRole: SessionRole { self == .editor ? .editor : .viewer }
}
