import Foundation
import Logging
import Models
import PostgresCluster
import PostgresStore
import Realtime
import Synchronization
import Testing

/// A notice whose connection drops as it is sent: its events are safe in the log (the other nodes read it every
/// second), but an access change travels only in the notice, so a lost one would leave another node's connections
/// with access they no longer have.
@Suite("PostgreSQL bus: a notice whose connection drops")
struct LostNoticeTests {
    @Test func anAccessChangeWhoseNoticeIsLostStillReachesTheOtherNode() async throws {
        let (url, proxy) = try await PostgresFaultProxy.startForTestDatabase()
        defer { Task { await proxy.stop() } }
        let schema = "notice_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let sender = try await PostgresBridge(
            store: try await PostgresStore.connect(url: try proxy.relaying(url), poolSize: 2, schema: schema), nodeID: "sender", schema: schema,
            logger: Logger(label: "sender"))
        let receiver = try await PostgresBridge(
            store: try await PostgresStore.connect(url: url, poolSize: 2, schema: schema), nodeID: "receiver", schema: schema,
            logger: Logger(label: "receiver"))
        let received = Mutex<[AccessChange]>([])
        let running = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { try? await sender.run() }
                group.addTask { try? await receiver.run() }
                for await case .accessChanged(let change) in receiver.deliveries { received.withLock { $0.append(change) } }
            }
        }
        defer { running.cancel() }

        // Once the receiver listens, a probe gets through; until then probes are lost, so one goes every 200 ms.
        let probe = AccessChange.user(id: "probe")
        for _ in 0..<50 where !received.withLock({ $0.contains(probe) }) {
            sender.accessChanged(probe)
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(received.withLock { $0.contains(probe) })
        proxy.arm(.statementLost(containing: "pg_notify"))
        sender.accessChanged(.session(id: "unshared"))
        try await DurabilityTests.waitUntil(within: .seconds(10)) { received.withLock { $0.contains(.session(id: "unshared")) } }
        #expect(proxy.cuts == 1)
    }
}
