import Foundation
import Models
import Synchronization

/// What a user says about their attention in a session.
public enum PresenceStatus: String, Sendable, Codable, CaseIterable {
    case active, idle, away
}

/// One user present in one session, however many connections (tabs, WebSocket and SSE) they have open.
struct PresenceEntry: Sendable {
    let userID: String
    let username: String
    let fullName: String?
    var role: SessionRole
    var status: PresenceStatus = .active
    var cursor: JSONValue?
    var viewport: JSONValue?
    var lastSeen: Date
    var connections: Set<UInt64> = []
    /// False once the entry went stale (announced as user_left) until its user is heard from again.
    var isAnnounced = true
    /// The snapshot's text for `connected`; nil once anything in it changed.
    var rendered: RenderedPresence?

    var snapshot: PresenceSnapshot {
        PresenceSnapshot(
            userID: self.userID, username: self.username, fullName: self.fullName, role: self.role, status: self.status, cursor: self.cursor,
            viewport: self.viewport, lastSeen: self.lastSeen, connections: self.connections.count)
    }
}

/// Who is present where: the hub's in-memory view, rebuilt from live connections (it is never stored).
final class PresenceRegistry: Sendable {
    private let rooms = Mutex<[String: [String: PresenceEntry]]>([:])

    /// Adds a connection; returns the entry and whether its user just arrived (to announce with user_joined).
    func attach(sessionID: String, user: User, role: SessionRole, connectionID: UInt64) -> (entry: PresenceEntry, arrived: Bool) {
        self.rooms.withLock { rooms in
            var entry =
                rooms[sessionID]?[user.id]
                ?? PresenceEntry(
                    userID: user.id, username: user.username, fullName: user.fullName, role: role, lastSeen: WireFormat.now(), isAnnounced: false)
            let arrived = !entry.isAnnounced
            entry.connections.insert(connectionID)
            entry.role = role
            entry.lastSeen = WireFormat.now()
            entry.isAnnounced = true
            entry.rendered = nil
            rooms[sessionID, default: [:]][user.id] = entry
            return (entry, arrived)
        }
    }

    /// Removes a connection; true when it was its user's last and they had not already been announced as gone.
    func detach(sessionID: String, userID: String, connectionID: UInt64) -> Bool {
        self.rooms.withLock { rooms in
            guard var entry = rooms[sessionID]?[userID] else { return false }
            entry.connections.remove(connectionID)
            guard entry.connections.isEmpty else {
                entry.rendered = nil
                rooms[sessionID]?[userID] = entry
                return false
            }
            rooms[sessionID]?[userID] = nil
            if rooms[sessionID]?.isEmpty == true { rooms[sessionID] = nil }
            return entry.isAnnounced
        }
    }

    /// Records traffic from a user and applies `change`; returns the entry if the user had gone stale and is back.
    @discardableResult
    func touch(sessionID: String, userID: String, change: (inout PresenceEntry) -> Void = { _ in }) -> PresenceEntry? {
        self.rooms.withLock { rooms in
            guard var entry = rooms[sessionID]?[userID] else { return nil }
            let returned = !entry.isAnnounced
            entry.lastSeen = WireFormat.now()
            entry.isAnnounced = true
            change(&entry)
            entry.rendered = nil
            rooms[sessionID]?[userID] = entry
            return returned ? entry : nil
        }
    }

    func setRole(_ role: SessionRole, sessionID: String, userID: String) {
        self.rooms.withLock { rooms in
            rooms[sessionID]?[userID]?.role = role
            rooms[sessionID]?[userID]?.rendered = nil
        }
    }

    /// Present users of a session, by username.
    func users(sessionID: String) -> [PresenceSnapshot] {
        self.rooms.withLock { rooms in
            (rooms[sessionID]?.values).map { $0.filter(\.isAnnounced).map(\.snapshot).sorted { $0.username < $1.username } } ?? []
        }
    }

    /// Present users of a session, by username, as `connected` lists them: entries that did not change since the
    /// last time are not rendered again.
    func renderedUsers(sessionID: String) -> [RenderedPresence] {
        self.rooms.withLock { rooms in
            var rendered: [RenderedPresence] = []
            var fresh: [(userID: String, rendered: RenderedPresence)] = []
            for (userID, entry) in rooms[sessionID] ?? [:] where entry.isAnnounced {
                if let cached = entry.rendered {
                    rendered.append(cached)
                } else {
                    fresh.append((userID, RenderedPresence(entry.snapshot)))
                }
            }
            // Stored after the walk: writing during it would copy the room's dictionary.
            for (userID, entry) in fresh { rooms[sessionID]?[userID]?.rendered = entry }
            return (rendered + fresh.map(\.rendered)).sorted { $0.username < $1.username }
        }
    }

    /// Whether the user has a connection here and has not gone stale.
    func isPresent(sessionID: String, userID: String) -> Bool {
        self.rooms.withLock { $0[sessionID]?[userID]?.isAnnounced ?? false }
    }

    /// Every present user of every session, as the cluster's heartbeat shares them.
    func all() -> [ClusterPresenceEntry] {
        self.rooms.withLock { rooms in
            rooms.flatMap { sessionID, users in
                users.values.filter(\.isAnnounced).map { ClusterPresenceEntry(sessionID: sessionID, snapshot: $0.snapshot) }
            }
        }
    }

    /// Marks entries silent since `cutoff` as gone; returns them (sessionID, userID) to announce as user_left.
    func expire(silentSince cutoff: Date) -> [(sessionID: String, userID: String, username: String)] {
        self.rooms.withLock { rooms in
            var expired: [(String, String, String)] = []
            for (sessionID, users) in rooms {
                for (userID, entry) in users where entry.isAnnounced && entry.lastSeen < cutoff {
                    rooms[sessionID]?[userID]?.isAnnounced = false
                    expired.append((sessionID, userID, entry.username))
                }
            }
            return expired
        }
    }

    /// Present users by status, across all sessions.
    func countsByStatus() -> [PresenceStatus: Int] {
        self.rooms.withLock { rooms in
            var counts = Dictionary(uniqueKeysWithValues: PresenceStatus.allCases.map { ($0, 0) })
            for users in rooms.values {
                for entry in users.values where entry.isAnnounced { counts[entry.status, default: 0] += 1 }
            }
            return counts
        }
    }
}
