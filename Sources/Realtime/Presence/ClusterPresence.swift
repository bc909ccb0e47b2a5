import Foundation

/// Where the nodes of a cluster share who is present: each node keeps its own connections (`PresenceRegistry`) and
/// tells the others through this. One node alone has none.
///
/// A user arrives when their first connection anywhere opens and leaves when their last one anywhere closes, or when
/// the node that held it stopped heartbeating for the cluster's timeout.
public protocol ClusterPresence: Sendable {
    /// This node has the user present now; true when no other live node has them (the cluster's first connection).
    ///
    /// An arrival and a departure of one user on one node may overtake each other on their way to the database (a
    /// reloaded page): each asks `stillHere` once it holds the user's lock, and does nothing if the node's own
    /// registry says otherwise by then.
    func arrive(sessionID: String, as snapshot: PresenceSnapshot, stillHere: @escaping @Sendable () -> Bool) async throws -> Bool
    /// This node no longer has the user present; true when no other live node has them either.
    func depart(sessionID: String, userID: String, stillGone: @escaping @Sendable () -> Bool) async throws -> Bool
    /// The user's presence on the other live nodes.
    func others(sessionID: String) async throws -> [PresenceSnapshot]
    /// Called every second or so with this node's present users: shares what changed, and takes over from nodes that
    /// stopped.
    func heartbeat(present: [ClusterPresenceEntry]) async throws -> ClusterHeartbeat
    /// The whole cluster, for `/ws/stats`.
    func statistics() async throws -> ClusterStatistics
}

/// What a heartbeat found.
public struct ClusterHeartbeat: Sendable, Equatable {
    /// Users of nodes that stopped, present on no live node: to announce as left.
    public let departed: [ClusterPresenceEntry]
    /// The other nodes had taken this one for dead (its heartbeats were late) and announced its users as left: they
    /// are to arrive again.
    public let rejoined: Bool

    public init(departed: [ClusterPresenceEntry], rejoined: Bool) {
        self.departed = departed
        self.rejoined = rejoined
    }
}

/// A user present in a session, as the cluster shares it.
public struct ClusterPresenceEntry: Sendable, Equatable {
    public let sessionID: String
    public let snapshot: PresenceSnapshot

    public init(sessionID: String, snapshot: PresenceSnapshot) {
        self.sessionID = sessionID
        self.snapshot = snapshot
    }
}

/// The cluster part of `GET /ws/stats`.
public struct ClusterStatistics: Sendable, Encodable, Equatable {
    /// Nodes heartbeating within the timeout, this one included.
    public let nodes: Int
    /// Live connections on all nodes (WebSocket and SSE).
    public let connections: Int
    /// Present users by status, on all nodes (a user on two nodes counts once).
    public let presence: [String: Int]

    public init(nodes: Int, connections: Int, presence: [String: Int]) {
        self.nodes = nodes
        self.connections = connections
        self.presence = presence
    }
}
