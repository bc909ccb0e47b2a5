import Models
import ServiceLifecycle

/// Runs the SQLite store's checkpoints beside the server, until it shuts down.
struct WALCheckpointService: Service {
    let checkpointer: WALCheckpointer

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.checkpointer.runUntilCancelled() }
    }
}
