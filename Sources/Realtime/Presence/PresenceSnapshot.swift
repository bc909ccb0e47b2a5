import Foundation
import Models

/// One user's presence in one session as clients see it, and as a node shows it to the other nodes of a cluster.
public struct PresenceSnapshot: Sendable, Equatable, Codable {
    public var userID: String
    public var username: String
    public var fullName: String?
    public var role: SessionRole
    public var status: PresenceStatus
    public var cursor: JSONValue?
    public var viewport: JSONValue?
    public var lastSeen: Date
    /// Open connections (tabs, WebSocket and SSE) of the user in the session.
    public var connections: Int

    enum CodingKeys: String, CodingKey {
        case username, role, status, cursor, viewport, connections
        case userID = "user_id"
        case fullName = "full_name"
        case lastSeen = "last_seen"
    }

    /// The `user` object of `connected` and `user_joined`, and an item of `GET .../presence`.
    var json: JSONValue {
        .object([
            "user_id": .string(self.userID), "username": .string(self.username), "full_name": self.fullName.map(JSONValue.string) ?? .null,
            "role": .string(self.role.rawValue), "status": .string(self.status.rawValue), "cursor": self.cursor ?? .null,
            "viewport": self.viewport ?? .null, "last_seen": .string(WireFormat.timestamp(self.lastSeen)),
            "connections": .number(Double(self.connections)),
        ])
    }

    /// An item of `connected`'s `participants`, as the seed's welcome message lists them.
    var participantJSON: JSONValue {
        .object([
            "id": .string(self.userID), "username": .string(self.username), "role": .string(self.role.rawValue),
            "status": .string(self.status.rawValue),
        ])
    }

    func isViewing(file: String) -> Bool {
        [self.viewport, self.cursor].contains { value in
            if case .object(let fields)? = value, case .string(let viewed)? = fields["file"] { viewed == file } else { false }
        }
    }

    /// One snapshot per user, by username: a user present on several nodes has their connections added up, and the
    /// status, cursor and viewport of the node that heard from them last.
    public static func merged(_ snapshots: [PresenceSnapshot]) -> [PresenceSnapshot] {
        var byUser: [String: PresenceSnapshot] = [:]
        for snapshot in snapshots {
            guard let known = byUser[snapshot.userID] else {
                byUser[snapshot.userID] = snapshot
                continue
            }
            var newest = known.lastSeen >= snapshot.lastSeen ? known : snapshot
            newest.connections = known.connections + snapshot.connections
            byUser[snapshot.userID] = newest
        }
        return byUser.values.sorted { $0.username < $1.username }
    }
}
