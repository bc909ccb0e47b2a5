import Models

/// A frame for a room that is not stored: what changes too often, or concerns too few, to be logged. Plain data, so a
/// bridge between nodes can carry it in a notification.
public struct EphemeralSignal: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case cursorUpdate = "cursor_update"
        case viewportUpdate = "viewport_update"
        case presenceUpdate = "presence_update"
        /// A user with no participant record (a team member or a visitor of a public session) arrived or left.
        case userJoined = "user_joined"
        /// Several such users arrived within one window (see `ArrivalBatcher`).
        case usersJoined = "users_joined"
        case userLeft = "user_left"
    }

    public let sessionID: String
    public let kind: Kind
    public let fields: [String: JSONValue]
    /// Not sent to this user (their own cursor).
    public let excludedUserID: String?
    /// A lagging subscriber keeps only the newest frame with this key.
    public let coalescingKey: String?

    public init(sessionID: String, kind: Kind, fields: [String: JSONValue], excludedUserID: String? = nil, coalescingKey: String? = nil) {
        self.sessionID = sessionID
        self.kind = kind
        self.fields = fields
        self.excludedUserID = excludedUserID
        self.coalescingKey = coalescingKey
    }

    /// Arrivals announced together: `user_joined` for one (each user's presence JSON, with its `user_id`), not
    /// sent to that user; `users_joined` for several, sent to everyone.
    public static func arrivals(sessionID: String, users: [JSONValue]) -> EphemeralSignal {
        guard users.count == 1, case .object(let user) = users[0], case .string(let userID)? = user["user_id"] else {
            return EphemeralSignal(sessionID: sessionID, kind: .usersJoined, fields: ["users": .array(users)])
        }
        return EphemeralSignal(sessionID: sessionID, kind: .userJoined, fields: ["user": users[0]], excludedUserID: userID)
    }

    var frame: OutboundFrame {
        .ephemeral(
            self.kind.rawValue, sessionID: self.sessionID, fields: self.fields, excluding: self.excludedUserID, coalescingKey: self.coalescingKey)
    }
}
