import Foundation
import GRDB
import Testing

@testable import Models

/// The WAL is checkpointed beside the writer, never by it, and every committed frame reaches the database file.
@Suite("WAL checkpoints off the writer")
struct WALCheckpointerTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sessionhub-wal-\(UUID().uuidString)/store.sqlite").path

    static func writersAutomaticCheckpoint(of store: SQLiteStore) async throws -> Int? {
        try await store.database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
    }

    @Test func whileItRunsTheWriterNeverCheckpointsAndItsCheckpointsKeepUp() async throws {
        let store = try SQLiteStore.open(path: self.path)
        let checkpointer = try #require(try store.walCheckpointer(every: .milliseconds(20), threshold: 50))
        let running = Task { await checkpointer.runUntilCancelled() }
        // SQLite reports 0 while another hook than its own is on the writer.
        while try await Self.writersAutomaticCheckpoint(of: store) != 0 { try await Task.sleep(for: .milliseconds(5)) }

        let accounts = AccountService(store: store, hasher: PlainTextHasher(), refreshTokenLifetime: 3600)
        let sessions = SessionService(store: store, publisher: DiscardingPublisher(), maxSessionsPerUser: 10)
        let messages = MessageService(sessions: sessions, store: store)
        let user = try await accounts.register(Registration(email: "ann@example.com", username: "ann", password: "password-1"))
        let session = try await sessions.create(SessionDraft(type: "claude"), by: user)
        #expect(checkpointer.lastCheckpoint == nil, "a WAL under the threshold is left alone")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { _ = try await messages.post(MessageDraft(content: "message \(index)"), sessionID: session.id, by: user) }
            }
            try await group.waitForAll()
        }
        // Past the threshold: a checkpoint found the frames and copied every one of them.
        try await DurabilityTests.waitUntil {
            checkpointer.lastCheckpoint.map { $0.walFrames >= 50 && $0.checkpointedFrames == $0.walFrames } ?? false
        }

        running.cancel()
        await running.value
        #expect(try await Self.writersAutomaticCheckpoint(of: store) == WALCheckpointer.automaticCheckpointFrames, "restored when it stops")
    }

    @Test func anInMemoryStoreHasNoWALToCheckpoint() throws {
        #expect(try SQLiteStore.inMemory().walCheckpointer(every: .seconds(1)) == nil)
    }
}
