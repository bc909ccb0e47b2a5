import Foundation
import Logging
import Models
import PostgresCluster
import PostgresStore
import Realtime
import ServiceLifecycle

/// What DATABASE_URL opens: the store, the bridge that brings its events to the hub, and in a cluster (PostgreSQL) the
/// presence the nodes share and the JWT key they share.
struct StoreBackend {
    let store: any Store
    let bridge: any HubBridge
    let cluster: (any ClusterPresence)?
    /// Background work of the backend's own (the cluster's bus), run beside the hub.
    let services: [any Service]
    let jwtSecret: String

    static func open(_ configuration: AppConfiguration, logger: Logger) async throws -> StoreBackend {
        switch configuration.database {
        case .sqliteFile(let path):
            logger.info("opening SQLite store", metadata: ["path": .string(path)])
            let bridge = InProcessBridge()
            let store = try SQLiteStore.open(path: path, publisher: bridge)
            let checkpoints = try store.walCheckpointer(every: Self.checkpointInterval).map(WALCheckpointService.init)
            return try self.oneNode(store: store, bridge: bridge, services: checkpoints.map { [$0] } ?? [], configuration, logger: logger)
        case .sqliteMemory:
            logger.info("using an in-memory SQLite store: nothing survives a restart")
            let bridge = InProcessBridge()
            return try self.oneNode(store: try SQLiteStore.inMemory(publisher: bridge), bridge: bridge, configuration, logger: logger)
        case .postgres(let url):
            return try await self.openCluster(url: url, configuration, logger: logger)
        }
    }

    /// How often the SQLite checkpointer looks whether the writer flagged a checkpoint.
    static let checkpointInterval: Duration = .seconds(1)

    /// SQLite: one node, whose store publishes straight into its hub's stream.
    private static func oneNode(
        store: SQLiteStore, bridge: InProcessBridge, services: [any Service] = [], _ configuration: AppConfiguration, logger: Logger
    ) throws -> StoreBackend {
        StoreBackend(
            store: store, bridge: bridge, cluster: nil, services: services,
            jwtSecret: try JWTSecretFile.resolve(configuration: configuration, logger: logger))
    }

    /// One node of a cluster: its events reach every node's hub through the log and LISTEN/NOTIFY.
    private static func openCluster(url: String, _ configuration: AppConfiguration, logger: Logger) async throws -> StoreBackend {
        logger.info("opening PostgreSQL store", metadata: ["pool_size": .stringConvertible(configuration.databasePoolSize)])
        let node = try await PostgresClusterNode.join(
            url: url, poolSize: configuration.databasePoolSize, schema: configuration.databaseSchema,
            presenceTimeoutSeconds: configuration.presenceNodeTimeoutSeconds, logger: logger)
        logger.notice("joined the cluster", metadata: ["node": .string(node.id)])
        // Every node must sign and check tokens with one key: the first node to start generates it for all.
        let secret: String
        if let configured = configuration.jwtSecret {
            secret = configured
        } else {
            secret = try await node.store.sharedSetting("jwt_secret", proposal: JWTSecretFile.generate())
            logger.warning("JWT_SECRET_KEY is not set: using the key the cluster generated and keeps in PostgreSQL")
        }
        return StoreBackend(
            store: node.store, bridge: node.bridge, cluster: node.presence, services: [node.bridge, node.presence], jwtSecret: secret)
    }
}
