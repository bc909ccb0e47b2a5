import Foundation
import GRDB

/// The embedded SQLite backend: a WAL `DatabasePool` on a file, or an in-memory queue for tests.
///
/// GRDB serialises writes and runs reads concurrently; its async `read`/`write` keep blocking I/O off the caller's executor.
public struct SQLiteStore: Store {
    let database: any DatabaseWriter
    /// Every write goes through it; it publishes each appended event once its batch commits, in commit order.
    let writer: GroupCommitWriter

    init(database: any DatabaseWriter, publisher: any EventPublisher) {
        self.database = database
        self.writer = GroupCommitWriter(database: database, publisher: publisher)
    }

    /// Opens (creating folders as needed) the database file at `path` and migrates it.
    ///
    /// What it creates is its owner's alone: folders 0700, the file 0600 (SQLite gives its WAL and SHM files the
    /// database file's mode).
    public static func open(path: String, publisher: any EventPublisher = DiscardingPublisher()) throws -> SQLiteStore {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let pool = try DatabasePool(path: path, configuration: self.configuration)
        // GRDB sets NORMAL with WAL, which may lose the last commits on power loss, and AUTOINCREMENT would then hand
        // their event ids out again: a client resuming from one would skip a different event. Group commit pays the
        // sync once per batch. (Only the writer connection writes, so that is where it matters.)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let store = SQLiteStore(database: pool, publisher: publisher)
        try store.migrate()
        return store
    }

    /// A private in-memory database, migrated; it lives as long as the returned store.
    public static func inMemory(publisher: any EventPublisher = DiscardingPublisher()) throws -> SQLiteStore {
        let store = SQLiteStore(database: try DatabaseQueue(configuration: self.configuration), publisher: publisher)
        try store.migrate()
        return store
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Concurrent writers wait for the lock instead of failing with SQLITE_BUSY.
        configuration.busyMode = .timeout(5)
        return configuration
    }

    private func migrate() throws {
        try SQLiteSchema.migrator.migrate(self.database)
    }

    /// Every write goes through here, batched with concurrent ones (group commit). A row a request refers to may be
    /// deleted between the service's checks and the write (a session deleted while a message is posted); SQLite then
    /// refuses the reference, and that is a 404.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await self.writer.write(updates)
    }

    /// Checkpoints for the writer once the WAL holds `threshold` frames (see `WALCheckpointer`); nil for an
    /// in-memory store, which has no WAL.
    public func walCheckpointer(every interval: Duration, threshold: Int = WALCheckpointer.automaticCheckpointFrames) throws -> WALCheckpointer? {
        guard let pool = self.database as? DatabasePool else { return nil }
        return try WALCheckpointer(writer: pool, interval: interval, threshold: threshold)
    }

    public func checkReachable() async throws {
        _ = try await self.database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
