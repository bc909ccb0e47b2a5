import Foundation
import Models
import Realtime

/// What one node tells the others in one `NOTIFY`: that events up to `head` are committed (read them from the log),
/// and the live-only frames and access changes of its clients, which are not stored.
struct BusNotice: Codable, Equatable {
    /// The node that sent it: a node ignores its own notices, it delivered their contents when they happened.
    var node: String
    var head: Int64?
    var signals: [EphemeralSignal] = []
    var changes: [AccessChange] = []

    /// PostgreSQL refuses a payload of 8,000 bytes or more.
    static let payloadLimit = 7_999

    var isEmpty: Bool { self.head == nil && self.signals.isEmpty && self.changes.isEmpty }

    func encoded() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    /// The outbox as few notices as fit the payload limit, in order; the head goes with the first. An item too large
    /// for a notice alone is returned apart: it cannot cross to other nodes.
    ///
    /// Sizes add up: a notice is its empty form plus each item's own encoding and a comma between items, so each item
    /// is encoded once.
    static func pack(
        node: String, head: Int64?, signals: [EphemeralSignal], changes: [AccessChange]
    ) throws
        -> (notices: [String], oversized: [EphemeralSignal])
    {
        let encoder = JSONEncoder()
        var notices: [String] = []
        var oversized: [EphemeralSignal] = []
        var current = BusNotice(node: node, head: head)
        var size = try current.encoded().utf8.count
        func add(_ itemSize: Int, into notice: inout BusNotice, _ append: (inout BusNotice) -> Void) throws {
            let comma = 1
            if size + itemSize + comma > self.payloadLimit, !notice.isEmpty {
                notices.append(try notice.encoded())
                notice = BusNotice(node: node)
                size = try notice.encoded().utf8.count
            }
            append(&notice)
            size += itemSize + comma
        }
        let emptySize = try BusNotice(node: node).encoded().utf8.count
        for change in try changes.flatMap({ try Self.pieces(of: $0, fitting: self.payloadLimit - emptySize, encoder: encoder) }) {
            try add(try encoder.encode(change).count, into: &current) { $0.changes.append(change) }
        }
        for signal in try signals.flatMap({ try Self.pieces(of: $0, fitting: self.payloadLimit - emptySize, encoder: encoder) }) {
            // Encoded again for its size: only a connect storm's batch, rare, was encoded before.
            let itemSize = try encoder.encode(signal).count
            guard emptySize + itemSize <= self.payloadLimit else {
                oversized.append(signal)
                continue
            }
            try add(itemSize, into: &current) { $0.signals.append(signal) }
        }
        if !current.isEmpty { notices.append(try current.encoded()) }
        return (notices, oversized)
    }

    /// A connect storm's `users_joined` small enough for a notice: halves, each announced apart (a lone user as
    /// `user_joined`, not sent to them), so that no arrival stays on its node.
    static func pieces(of signal: EphemeralSignal, fitting limit: Int, encoder: JSONEncoder) throws -> [EphemeralSignal] {
        guard signal.kind == .usersJoined, case .array(let users)? = signal.fields["users"], users.count > 1,
            try encoder.encode(signal).count > limit
        else { return [signal] }
        return try [Array(users[..<(users.count / 2)]), Array(users[(users.count / 2)...])].flatMap { half in
            try self.pieces(of: .arrivals(sessionID: signal.sessionID, users: half), fitting: limit, encoder: encoder)
        }
    }

    /// A change small enough for a notice: a deleted team that had shared hundreds of sessions becomes several
    /// changes of that team, each with some of its sessions.
    static func pieces(of change: AccessChange, fitting limit: Int, encoder: JSONEncoder) throws -> [AccessChange] {
        guard try encoder.encode(change).count > limit, case .team(let id, let sessionIDs) = change, sessionIDs.count > 1 else { return [change] }
        let half = sessionIDs.count / 2
        return try [Array(sessionIDs[..<half]), Array(sessionIDs[half...])].flatMap {
            try self.pieces(of: .team(id: id, sessionIDs: $0), fitting: limit, encoder: encoder)
        }
    }
}
