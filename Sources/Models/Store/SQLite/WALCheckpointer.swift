import GRDB
import Synchronization

/// Checkpoints the store's WAL from a connection of its own, so that the writer never does.
///
/// SQLite's automatic checkpoint runs on the connection that commits: the writer, which then copies pages and syncs
/// the database file while every write waits behind it (the tail of a fan-out). While this runs, the writer's
/// automatic checkpoints are off and a PASSIVE checkpoint runs here every `interval`: it copies what no reader still
/// needs, never waits for a lock, and lets the writer go on appending meanwhile.
public final class WALCheckpointer: Sendable {
    /// What the last checkpoint found: frames in the WAL, and how many of them are now in the database file.
    public struct Progress: Sendable, Equatable {
        public let walFrames: Int
        public let checkpointedFrames: Int
    }

    private let writer: any DatabaseWriter
    private let connection: DatabaseQueue
    private let interval: Duration
    private let last = Mutex<Progress?>(nil)

    /// SQLite's own threshold, restored when this stops: a store without its checkpointer still checkpoints.
    static let automaticCheckpointPages = 1000

    init(writer: DatabasePool, interval: Duration) throws {
        self.writer = writer
        self.connection = try DatabaseQueue(path: writer.path)
        self.interval = interval
    }

    public var lastCheckpoint: Progress? { self.last.withLock { $0 } }

    /// Checkpoints every `interval` until the task is cancelled; the writer checkpoints by itself again after.
    public func runUntilCancelled() async {
        await self.setAutomaticCheckpoint(pages: 0)
        while !Task.isCancelled {
            try? await Task.sleep(for: self.interval)
            do {
                let progress = try await self.connection.writeWithoutTransaction { db in
                    let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                    return Progress(walFrames: row?[1] ?? 0, checkpointedFrames: row?[2] ?? 0)
                }
                self.last.withLock { $0 = progress }
            } catch {
                // A failed checkpoint loses nothing: the WAL keeps every frame until a later one succeeds.
                continue
            }
        }
        // Its own task: this one is cancelled, and the writer's queue would refuse it.
        await Task { await self.setAutomaticCheckpoint(pages: Self.automaticCheckpointPages) }.value
    }

    private func setAutomaticCheckpoint(pages: Int) async {
        _ = try? await self.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)") }
    }
}
