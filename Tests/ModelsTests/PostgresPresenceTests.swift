import Foundation
import Models
import PostgresNIO
import Testing

@testable import PostgresCluster
@testable import PostgresStore
@testable import Realtime

/// Cluster presence on its own, two nodes' views of one schema: the rules the cluster suites cannot make happen at
/// will (an arrival and a departure overtaking each other, a node taken for dead while alive).
@Suite("PostgreSQL cluster presence")
struct PostgresPresenceTests {
    private static func twoNodes() async throws -> (PostgresPresence, PostgresPresence) {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { throw MissingTestDatabase() }
        let schema = "presence_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let store = try await PostgresStore.connect(url: url, poolSize: 3, schema: schema)
        return (
            try await PostgresPresence(store: store, nodeID: "node-a", timeoutSeconds: 3),
            try await PostgresPresence(store: store, nodeID: "node-b", timeoutSeconds: 3)
        )
    }

    private static func snapshot(_ userID: String, connections: Int = 1) -> PresenceSnapshot {
        PresenceSnapshot(
            userID: userID, username: userID, fullName: nil, role: .viewer, status: .active, cursor: nil, viewport: nil,
            lastSeen: WireFormat.now(), connections: connections)
    }

    @Test func aUserIsFirstToArriveAndLastToLeaveAcrossNodes() async throws {
        let (a, b) = try await Self.twoNodes()
        #expect(try await a.arrive(sessionID: "s", as: Self.snapshot("ann")) { true })
        #expect(try await !b.arrive(sessionID: "s", as: Self.snapshot("ann")) { true })
        #expect(try await b.others(sessionID: "s").map(\.userID) == ["ann"])
        #expect(try await !a.depart(sessionID: "s", userID: "ann") { true })
        #expect(try await b.depart(sessionID: "s", userID: "ann") { true })
    }

    /// A reloaded page: the new connection's arrival reached the database before the old one's departure. The
    /// departure finds the user here again and leaves the row.
    @Test func aDepartureOvertakenByAnArrivalKeepsTheUserPresent() async throws {
        let (a, b) = try await Self.twoNodes()
        #expect(try await a.arrive(sessionID: "s", as: Self.snapshot("ann")) { true })
        #expect(try await !a.depart(sessionID: "s", userID: "ann") { false })
        #expect(try await b.others(sessionID: "s").map(\.userID) == ["ann"])
        // And the other way round: an arrival of a user already gone again writes nothing.
        #expect(try await a.depart(sessionID: "s", userID: "ann") { true })
        #expect(try await !a.arrive(sessionID: "s", as: Self.snapshot("ann")) { false })
        try await Task.sleep(for: PostgresPresence.othersLifetime)
        #expect(try await b.others(sessionID: "s").isEmpty)
    }

    @Test func aNodeTakenForDeadBringsItsUsersBack() async throws {
        let (a, b) = try await Self.twoNodes()
        #expect(try await a.arrive(sessionID: "s", as: Self.snapshot("ann")) { true })
        // A's heartbeat is late: B takes over and says ann left.
        try await a.store.execute("UPDATE cluster_nodes SET seen_at = now() - interval '1 minute' WHERE id = 'node-a'")
        let takeover = try await b.heartbeat(present: [])
        #expect(takeover.departed.map(\.snapshot.userID) == ["ann"])
        // A speaks again: its row is back, and its heartbeat says its users are to arrive again.
        #expect(try await a.arrive(sessionID: "s", as: Self.snapshot("bob")) { true })
        let beat = try await a.heartbeat(present: [ClusterPresenceEntry(sessionID: "s", snapshot: Self.snapshot("ann"))])
        #expect(beat.rejoined)
        #expect(try await a.arrive(sessionID: "s", as: Self.snapshot("ann")) { true })
    }

    @Test func aHeartbeatSharesChangesButNeverBringsBackAUserWhoLeft() async throws {
        let (a, b) = try await Self.twoNodes()
        #expect(try await a.arrive(sessionID: "s", as: Self.snapshot("ann")) { true })
        var away = Self.snapshot("ann", connections: 2)
        away.status = .away
        #expect(try await a.depart(sessionID: "s", userID: "ann") { true })
        // The heartbeat's list was taken before ann left: it must not write her back.
        _ = try await a.heartbeat(present: [ClusterPresenceEntry(sessionID: "s", snapshot: away)])
        #expect(try await b.others(sessionID: "s").isEmpty)

        #expect(try await a.arrive(sessionID: "s", as: Self.snapshot("bob")) { true })
        var busy = Self.snapshot("bob", connections: 3)
        busy.status = .idle
        _ = try await a.heartbeat(present: [ClusterPresenceEntry(sessionID: "s", snapshot: busy)])
        try await Task.sleep(for: PostgresPresence.othersLifetime)
        #expect(try await b.others(sessionID: "s") == [busy])
    }
}
