import GRDB
import GRDBSQLite
import Synchronization

/// Checkpoints the store's WAL from a connection of its own, so that the writer never does.
///
/// SQLite's automatic checkpoint runs on the connection that commits: the writer, which then copies pages and syncs
/// the database file while every write waits behind it (the tail of a fan-out). While this runs, the writer keeps
/// SQLite's trigger (a WAL hook: the WAL has grown past `threshold` frames) but only flags the checkpoint; a PASSIVE
/// checkpoint then runs here, at the next `interval`. It copies what no reader still needs, never waits for a lock,
/// and lets the writer go on appending meanwhile. A WAL under the threshold is left alone, as SQLite would: a
/// checkpoint syncs the database file, and syncs beside the writer's own delay its commits on a shared disk.
public final class WALCheckpointer: Sendable {
    /// What the last checkpoint found: frames in the WAL, and how many of them are now in the database file.
    public struct Progress: Sendable, Equatable {
        public let walFrames: Int
        public let checkpointedFrames: Int
    }

    private let writer: any DatabaseWriter
    private let connection: DatabaseQueue
    private let interval: Duration
    private let threshold: Int
    /// Set by the writer's WAL hook, taken by the loop.
    private let due = Atomic(false)
    private let last = Mutex<Progress?>(nil)

    /// SQLite's own threshold (frames), restored when this stops: a store without its checkpointer still checkpoints.
    public static let automaticCheckpointFrames = 1000

    init(writer: DatabasePool, interval: Duration, threshold: Int) throws {
        self.writer = writer
        self.connection = try DatabaseQueue(path: writer.path)
        self.interval = interval
        self.threshold = threshold
    }

    public var lastCheckpoint: Progress? { self.last.withLock { $0 } }

    /// Checkpoints when due, looking every `interval`, until the task is cancelled; the writer checkpoints by itself
    /// again after.
    public func runUntilCancelled() async {
        await self.onWriter { db in
            // Replaces SQLite's automatic checkpoint, itself a WAL hook. Unretained: removed below, before this returns.
            _ = sqlite3_wal_hook(db.sqliteConnection, Self.walHook, Unmanaged.passUnretained(self).toOpaque())
        }
        while !Task.isCancelled {
            try? await Task.sleep(for: self.interval)
            guard self.due.exchange(false, ordering: .relaxed) else { continue }
            do {
                let progress = try await self.connection.writeWithoutTransaction { db in
                    let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                    return Progress(walFrames: row?[1] ?? 0, checkpointedFrames: row?[2] ?? 0)
                }
                self.last.withLock { $0 = progress }
            } catch {
                // A failed checkpoint loses nothing: the WAL keeps every frame, and the next commit flags it again.
                continue
            }
        }
        // Its own task: this one is cancelled, and the writer's queue would refuse it.
        await Task { await self.onWriter { db in _ = sqlite3_wal_autocheckpoint(db.sqliteConnection, Int32(Self.automaticCheckpointFrames)) } }.value
    }

    private func onWriter(_ body: @escaping @Sendable (Database) -> Void) async {
        _ = try? await self.writer.writeWithoutTransaction { db in body(db) }
    }

    /// Runs on the writer after each commit, with the frames now in the WAL: it only flags.
    private static let walHook: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = {
        context, _, _, frames in
        guard let context else { return SQLITE_OK }
        let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
        if Int(frames) >= checkpointer.threshold { checkpointer.due.store(true, ordering: .relaxed) }
        return SQLITE_OK
    }
}
