import Foundation
import Logging
import Models
import PostgresNIO
import PostgresStore
import Realtime
import ServiceLifecycle
import Synchronization

/// Cluster presence in PostgreSQL: `cluster_nodes` has a row per node, refreshed by its heartbeat, and
/// `cluster_presence` a row per user a node has present in a session, with what clients see of them.
///
/// Arrivals and departures of one user in one session take a transaction-level advisory lock, so two nodes cannot both
/// decide they have the user's first (or last) connection. A node whose heartbeat is older than the timeout is dead:
/// the first node to see it deletes it, and its users present nowhere else are announced as left.
public final class PostgresPresence: ClusterPresence, Service {
    let store: PostgresStore
    let nodeID: String
    let timeoutSeconds: Int
    var logger: Logger { self.store.logger }
    /// What this node last wrote of each present user, so that a heartbeat writes only what changed.
    private let written = Mutex<[PresenceKey: PresenceSnapshot]>([:])
    /// The other nodes' presence per session, read at most once per `othersLifetime` and shared by every caller
    /// meanwhile: a thousand clients joining a room at once would otherwise each read the whole room.
    private let othersRead = Mutex<[String: (at: ContinuousClock.Instant, read: Task<[PresenceSnapshot], any Error>)]>([:])
    /// As old as the other nodes' own figures may be: they share what changed once a second.
    static let othersLifetime: Duration = .seconds(1)
    /// Set when this node found its row gone (the others took it for dead): its users are to arrive again.
    private let rejoinPending = Atomic(false)

    struct PresenceKey: Hashable {
        let sessionID: String
        let userID: String
    }

    /// Registers this node.
    public init(store: PostgresStore, nodeID: String, timeoutSeconds: Int) async throws {
        self.store = store
        self.nodeID = nodeID
        self.timeoutSeconds = timeoutSeconds
        try await self.store.execute("INSERT INTO cluster_nodes (id) VALUES (\(nodeID))")
    }

    public func arrive(
        sessionID: String, as snapshot: PresenceSnapshot, stillHere: @escaping @Sendable () -> Bool
    ) async throws -> Bool {
        let entry = try Self.encode(snapshot)
        let key = PresenceKey(sessionID: sessionID, userID: snapshot.userID)
        return try await self.transaction(locking: key) { connection in
            // The row may be gone if the others took this node for dead; the next heartbeat brings every user back.
            let registered = try await connection.run(
                """
                INSERT INTO cluster_nodes (id) VALUES (\(self.nodeID)) ON CONFLICT (id) DO UPDATE SET seen_at = now()
                RETURNING (xmax = 0) AS inserted
                """,
                logger: self.logger)
            if try registered.first?.decode(Bool.self) == true { self.rejoinPending.store(true, ordering: .relaxed) }
            guard stillHere() else { return false }
            let first = try await !self.isPresentElsewhere(key, on: connection)
            try await connection.run(
                """
                INSERT INTO cluster_presence (session_id, user_id, node_id, entry) VALUES (\(sessionID), \(snapshot.userID), \(self.nodeID), \(entry))
                ON CONFLICT (session_id, user_id, node_id) DO UPDATE SET entry = EXCLUDED.entry
                """,
                logger: self.logger
            )
            self.written.withLock { $0[key] = snapshot }
            return first
        }
    }

    public func depart(sessionID: String, userID: String, stillGone: @escaping @Sendable () -> Bool) async throws -> Bool {
        let key = PresenceKey(sessionID: sessionID, userID: userID)
        return try await self.transaction(locking: key) { connection in
            guard stillGone() else { return false }
            try await connection.run(
                "DELETE FROM cluster_presence WHERE session_id = \(sessionID) AND user_id = \(userID) AND node_id = \(self.nodeID)",
                logger: self.logger)
            self.written.withLock { $0[key] = nil }
            return try await !self.isPresentElsewhere(key, on: connection)
        }
    }

    public func others(sessionID: String) async throws -> [PresenceSnapshot] {
        let now = ContinuousClock.now
        let read = self.othersRead.withLock { reads in
            if let recent = reads[sessionID], recent.at.duration(to: now) < Self.othersLifetime { return recent.read }
            // Entries of rooms nobody asked about lately go too.
            reads = reads.filter { $0.value.at.duration(to: now) < Self.othersLifetime }
            let read = Task { try await self.readOthers(sessionID: sessionID) }
            reads[sessionID] = (now, read)
            return read
        }
        do {
            return try await read.value
        } catch {
            self.othersRead.withLock { reads in if reads[sessionID]?.at == now { reads[sessionID] = nil } }
            throw error
        }
    }

    private func readOthers(sessionID: String) async throws -> [PresenceSnapshot] {
        let rows = try await self.store.rows(
            """
            SELECT p.entry FROM cluster_presence p JOIN cluster_nodes n ON n.id = p.node_id
            WHERE p.session_id = \(sessionID) AND p.node_id <> \(self.nodeID) AND n.seen_at > now() - make_interval(secs => \(self.timeoutSeconds))
            """)
        return try rows.map { try Self.decode(try $0["entry"].decode(String.self)) }
    }

    /// Says this node is alive, every second, apart from the hub's heartbeat: a hub slowed down by its own work must
    /// not get its node taken for dead.
    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                let registered = try await self.store.rows(
                    """
                    INSERT INTO cluster_nodes (id) VALUES (\(self.nodeID)) ON CONFLICT (id) DO UPDATE SET seen_at = now()
                    RETURNING (xmax = 0) AS inserted
                    """)
                if try registered.first?["inserted"].decode(Bool.self) == true { self.rejoinPending.store(true, ordering: .relaxed) }
            } catch {
                self.logger.warning("refreshing this node's heartbeat failed", metadata: ["error": .string(String(reflecting: error))])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    public func heartbeat(present: [ClusterPresenceEntry]) async throws -> ClusterHeartbeat {
        // The others deleted this node's presence with its row: the hub brings its users back through `arrive`.
        let rejoined = self.rejoinPending.exchange(false, ordering: .relaxed)
        if rejoined { self.written.withLock { $0 = [:] } }
        try await self.share(present)
        return ClusterHeartbeat(departed: try await self.takeOverDeadNodes(), rejoined: rejoined)
    }

    /// Writes the entries that changed since they were last written. Rows are updated, never inserted here: only
    /// `arrive` inserts, after checking that the user is still here.
    private func share(_ present: [ClusterPresenceEntry]) async throws {
        let changed = self.written.withLock { written in
            present.filter { entry in
                guard let known = written[PresenceKey(sessionID: entry.sessionID, userID: entry.snapshot.userID)] else { return false }
                return known != entry.snapshot
            }
        }
        guard !changed.isEmpty else { return }
        let sessions = changed.map(\.sessionID)
        let users = changed.map(\.snapshot.userID)
        let entries = try changed.map { try Self.encode($0.snapshot) }
        try await self.store.execute(
            """
            UPDATE cluster_presence p SET entry = u.entry
            FROM unnest(\(sessions)::text[], \(users)::text[], \(entries)::text[]) AS u(session_id, user_id, entry)
            WHERE p.session_id = u.session_id AND p.user_id = u.user_id AND p.node_id = \(self.nodeID)
            """)
        self.written.withLock { written in
            for entry in changed {
                let key = PresenceKey(sessionID: entry.sessionID, userID: entry.snapshot.userID)
                // Only users still written: one who departed meanwhile stays out.
                if written[key] != nil { written[key] = entry.snapshot }
            }
        }
    }

    /// Deletes the nodes silent for longer than the timeout (one taker each: the rows are locked, others skip them) and
    /// returns their users who are present on no live node.
    private func takeOverDeadNodes() async throws -> [ClusterPresenceEntry] {
        try await self.store.client.withOpenConnection { connection in
            try await connection.withTransaction(logger: self.logger) { connection in
                let dead = try await connection.run(
                    """
                    SELECT id FROM cluster_nodes WHERE seen_at < now() - make_interval(secs => \(self.timeoutSeconds))
                    FOR UPDATE SKIP LOCKED
                    """,
                    logger: self.logger
                ).map { try $0.decode(String.self) }
                guard !dead.isEmpty else { return [] }
                let gone = try await connection.run(
                    """
                    SELECT DISTINCT ON (d.session_id, d.user_id) d.session_id, d.entry FROM cluster_presence d
                    WHERE d.node_id = ANY(\(dead)) AND NOT EXISTS (
                        SELECT 1 FROM cluster_presence p JOIN cluster_nodes n ON n.id = p.node_id
                        WHERE p.session_id = d.session_id AND p.user_id = d.user_id AND NOT (p.node_id = ANY(\(dead)))
                            AND n.seen_at > now() - make_interval(secs => \(self.timeoutSeconds)))
                    """,
                    logger: self.logger
                ).map { row in
                    let (sessionID, entry) = try row.decode((String, String).self)
                    return ClusterPresenceEntry(sessionID: sessionID, snapshot: try Self.decode(entry))
                }
                try await connection.run("DELETE FROM cluster_nodes WHERE id = ANY(\(dead))", logger: self.logger)
                self.logger.notice("nodes stopped heartbeating: their users left", metadata: ["nodes": "\(dead)", "users": "\(gone.count)"])
                return gone
            }
        }
    }

    public func statistics() async throws -> ClusterStatistics {
        let live = "n.seen_at > now() - make_interval(secs => \(self.timeoutSeconds))"
        let nodes = try await self.store.rows(PostgresQuery(unsafeSQL: "SELECT count(*) AS nodes FROM cluster_nodes n WHERE \(live)"))
        let rows = try await self.store.rows(
            PostgresQuery(unsafeSQL: "SELECT p.session_id, p.entry FROM cluster_presence p JOIN cluster_nodes n ON n.id = p.node_id WHERE \(live)"))
        var bySession: [String: [PresenceSnapshot]] = [:]
        for row in rows {
            bySession[try row["session_id"].decode(String.self), default: []].append(try Self.decode(try row["entry"].decode(String.self)))
        }
        let present = bySession.values.flatMap(PresenceSnapshot.merged)
        var statuses = Dictionary(uniqueKeysWithValues: PresenceStatus.allCases.map { ($0.rawValue, 0) })
        for snapshot in present { statuses[snapshot.status.rawValue, default: 0] += 1 }
        return ClusterStatistics(
            nodes: try nodes.first?["nodes"].decode(Int.self) ?? 0, connections: present.reduce(0) { $0 + $1.connections }, presence: statuses)
    }

    /// Whether a live node other than this one has the user present.
    private func isPresentElsewhere(_ key: PresenceKey, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.run(
            """
            SELECT 1 FROM cluster_presence p JOIN cluster_nodes n ON n.id = p.node_id
            WHERE p.session_id = \(key.sessionID) AND p.user_id = \(key.userID) AND p.node_id <> \(self.nodeID)
                AND n.seen_at > now() - make_interval(secs => \(self.timeoutSeconds))
            LIMIT 1
            """,
            logger: self.logger
        )
        return !rows.isEmpty
    }

    /// Runs `body` in a transaction holding the lock of one user's presence in one session.
    private func transaction<T: Sendable>(
        locking key: PresenceKey, _ body: @Sendable @escaping (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await self.store.client.withOpenConnection { connection in
            try await connection.withTransaction(logger: self.logger) { connection in
                let lock = "presence:\(key.sessionID):\(key.userID)"
                try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\(lock)))", logger: self.logger)
                return try await body(connection)
            }
        }
    }

    private static func encode(_ snapshot: PresenceSnapshot) throws -> String {
        String(decoding: try WireFormat.makeEncoder().encode(snapshot), as: UTF8.self)
    }

    private static func decode(_ entry: String) throws -> PresenceSnapshot {
        try WireFormat.makeDecoder().decode(PresenceSnapshot.self, from: Data(entry.utf8))
    }
}

extension PostgresConnection {
    /// Runs a statement and reads its rows: the connection takes its next statement once they are read.
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}
