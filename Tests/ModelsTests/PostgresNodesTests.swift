import Foundation
import Models
import PostgresNIO
import PostgresStore
import Testing

/// Two nodes on one PostgreSQL schema, as a scaled-out server runs: they migrate it once between them, and the event ids
/// they hand out form one gap-free sequence that readers see grow in id order.
@Suite("PostgreSQL store: nodes sharing a database")
struct PostgresNodesTests {
    /// Two nodes on a fresh schema, started together: the advisory lock lets one migrate while the other waits, then
    /// finds nothing to do.
    private static func twoNodes(maxSessionsPerUser: Int = 50) async throws -> [StoreWorld] {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { throw MissingTestDatabase() }
        let schema = "nodes_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        async let first = StoreWorld(maxSessionsPerUser: maxSessionsPerUser) {
            try await PostgresStore.connect(url: url, poolSize: 2, schema: schema, publisher: $0)
        }
        async let second = StoreWorld(maxSessionsPerUser: maxSessionsPerUser) {
            try await PostgresStore.connect(url: url, poolSize: 2, schema: schema, publisher: $0)
        }
        return try await [first, second]
    }

    @Test func nodesStartingTogetherShareOneGapFreeEventLog() async throws {
        let nodes = try await Self.twoNodes()
        let ann = try await nodes[0].register("ann")
        let session = try await nodes[0].createSession(by: ann)
        let count = 60

        // A reader polls the log while both nodes write: every read continues exactly where the last one ended.
        let reader = Task {
            var seen: [Int64] = []
            // Bounded: 2,000 polls at least 5 ms apart.
            for _ in 0..<2_000 where seen.count < count {
                let cursor = seen.last.map { PageCursor(key: nil, id: String($0)) }
                let page = try await nodes[1].store.events(
                    sessionID: session.id, type: nil, viewerID: ann.id, page: PageRequest(limit: 100, cursor: cursor))
                seen += page.items.map(\.id)
                try await Task.sleep(for: .milliseconds(5))
            }
            return seen
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 0..<count {
                let node = nodes[number % 2]
                group.addTask { try await node.post("message \(number)", in: session, by: ann) }
            }
            try await group.waitForAll()
        }
        let seen = try await reader.value
        #expect(seen == Array(1...Int64(count)))
        // Each node published what it wrote, in id order.
        for node in nodes {
            let ids = node.publisher.published.map(\.id)
            #expect(ids.count == count / 2)
            #expect(ids == ids.sorted())
        }
        #expect((nodes[0].publisher.published + nodes[1].publisher.published).map(\.id).sorted() == seen)
    }

    /// Each node writes one at a time; across nodes, row locks keep the rules SQLite's single writer kept.
    @Test func quotaAndRefreshRotationHoldAcrossNodes() async throws {
        let nodes = try await Self.twoNodes(maxSessionsPerUser: 3)
        let bob = try await nodes[0].register("bob")
        let created = try await withThrowingTaskGroup(of: Bool.self) { group in
            for number in 0..<12 {
                group.addTask {
                    do {
                        _ = try await nodes[number % 2].createSession(by: bob)
                        return true
                    } catch DomainError.conflict {
                        return false
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(created == 3)

        let token = try await nodes[0].accounts.startRefreshFamily(for: bob)
        let rotated = try await withThrowingTaskGroup(of: Bool.self) { group in
            for number in 0..<8 {
                group.addTask {
                    do {
                        _ = try await nodes[number % 2].accounts.rotate(refreshToken: token)
                        return true
                    } catch DomainError.unauthorized {
                        return false
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(rotated == 1)
    }

    /// Acknowledged means on disk: a database whose administrator made commits asynchronous by default must not
    /// make this store's acknowledgements early.
    @Test func writesCommitSynchronouslyWhateverTheDatabaseDefault() async throws {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], var components = URLComponents(string: url) else {
            throw MissingTestDatabase()
        }
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try await PostgresStore.connect(url: url, poolSize: 1, schema: "admin_" + suffix)
        let database = "async_" + suffix
        try await admin.execute("CREATE DATABASE \(unescaped: database)")
        try await admin.execute("ALTER DATABASE \(unescaped: database) SET synchronous_commit TO off")
        components.path = "/" + database

        let store = try await PostgresStore.connect(url: try #require(components.string), poolSize: 1)
        let setting = try await store.rows("SHOW synchronous_commit").first?["synchronous_commit"].decode(String.self)
        #expect(setting == "on")
    }
}
