import Foundation
import Testing

/// Several `sessionhub` nodes on one schema of the throwaway PostgreSQL (`scripts/with-postgres`), as a cluster runs.
/// No JWT_SECRET_KEY: the nodes must agree on the key they generate into the database.
struct TestCluster {
    let databaseURL: String
    let schema: String
    private(set) var nodes: [ServerProcess] = []

    /// A dead node is noticed after this: short, so that the tests of a node's death do not wait 15 s.
    static let nodeTimeoutSeconds = 3

    init() throws {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { throw MissingTestDatabase() }
        self.databaseURL = url
        self.schema = "cluster_" + UUID().uuidString.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    var environment: [String: String] {
        [
            "DATABASE_URL": self.databaseURL, "DATABASE_SCHEMA": self.schema,
            "PRESENCE_NODE_TIMEOUT_SECONDS": String(Self.nodeTimeoutSeconds), "RATE_LIMIT_PER_MINUTE": "1000000",
        ]
    }

    /// Starts another node.
    mutating func start(_ environment: [String: String] = [:]) async throws -> ServerProcess {
        let node = try await ServerProcess(environment: self.environment.merging(environment) { $1 })
        self.nodes.append(node)
        return node
    }

    /// Stops every node still running; a test that failed still leaves nothing behind.
    func stop() async {
        for node in self.nodes where node.process.isRunning { await node.stop() }
    }

    /// Runs SQL in the cluster's schema with psql; returns what it printed, unaligned.
    func sql(_ statement: String) async throws -> String {
        let psql = URL(fileURLWithPath: "/usr/bin/psql")
        let (status, output) = try await ServerProcess.run(
            psql, arguments: [self.databaseURL, "-Atq", "-c", "SET search_path TO \(self.schema)", "-c", statement])
        try #require(status == 0, "psql: \(output)")
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct MissingTestDatabase: Error, CustomStringConvertible {
    var description: String {
        "TEST_DATABASE_URL is unset: run the tests under scripts/with-postgres (scripts/test does), which starts a throwaway PostgreSQL"
    }
}

/// Runs `body` with a fresh cluster and stops its nodes afterwards, whether `body` succeeded or threw.
func withCluster(_ body: (inout TestCluster) async throws -> Void) async throws {
    var cluster = try TestCluster()
    do {
        try await body(&cluster)
        await cluster.stop()
    } catch {
        await cluster.stop()
        throw error
    }
}
