import Foundation
import Logging
import Models
import PostgresStore
import Realtime
import Synchronization

/// One SessionHub node of a cluster on one PostgreSQL: the shared store, the bus to the other nodes, and the presence
/// they share.
public struct PostgresClusterNode: Sendable {
    public let id: String
    public let store: PostgresStore
    public let bridge: PostgresBridge
    public let presence: PostgresPresence

    /// Connects, migrates (one node at a time) and registers a new node.
    public static func join(
        url: String, poolSize: Int, schema: String?, presenceTimeoutSeconds: Int, logger: Logger
    ) async throws -> PostgresClusterNode {
        let id = UUID().uuidString.lowercased()
        var logger = logger
        logger[metadataKey: "node"] = .string(id)
        // The store publishes into the bridge, and the bridge reads the store: the bridge is attached once both exist,
        // before anything could be written.
        let publisher = LateBoundPublisher()
        let store = try await PostgresStore.connect(url: url, poolSize: poolSize, schema: schema, publisher: publisher, logger: logger)
        let bridge = try await PostgresBridge(store: store, nodeID: id, schema: schema, logger: logger)
        publisher.bind(to: bridge)
        let presence = try await PostgresPresence(store: store, nodeID: id, timeoutSeconds: presenceTimeoutSeconds)
        return PostgresClusterNode(id: id, store: store, bridge: bridge, presence: presence)
    }
}

/// Forwards to a publisher known only after the store that publishes into it was opened.
private final class LateBoundPublisher: EventPublisher {
    private let target = Mutex<(any EventPublisher)?>(nil)

    func bind(to publisher: any EventPublisher) {
        self.target.withLock { $0 = publisher }
    }

    func publish(_ event: SessionEvent) {
        self.target.withLock { $0 }?.publish(event)
    }

    func accessChanged(_ change: AccessChange) {
        self.target.withLock { $0 }?.accessChanged(change)
    }
}
