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
        // Above what opening and the setup below write (migrations, an account, a session: under 100 frames).
        let threshold = 300
        let checkpointer = try #require(try store.walCheckpointer(every: .milliseconds(20), threshold: threshold))
        let running = Task { await checkpointer.runUntilCancelled() }
        // SQLite reports 0 while another hook than its own is on the writer.
        while try await Self.writersAutomaticCheckpoint(of: store) != 0 { try await Task.sleep(for: .milliseconds(5)) }

        let accounts = AccountService(store: store, hasher: PlainTextHasher(), refreshTokenLifetime: 3600)
        let sessions = SessionService(store: store, publisher: DiscardingPublisher(), maxSessionsPerUser: 10)
        let messages = MessageService(sessions: sessions, store: store)
        let user = try await accounts.register(Registration(email: "ann@example.com", username: "ann", password: "password-1"))
        let session = try await sessions.create(SessionDraft(type: "claude"), by: user)
        var posted = 0
        // Until the WAL passes the threshold, whatever a commit writes: a checkpoint is then due, and only then.
        while checkpointer.lastCheckpoint == nil {
            #expect(posted < 5_000, "the WAL never reached its threshold")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in posted..<(posted + 50) {
                    group.addTask { _ = try await messages.post(MessageDraft(content: "message \(index)"), sessionID: session.id, by: user) }
                }
                try await group.waitForAll()
            }
            posted += 50
            try await Task.sleep(for: .milliseconds(30))
        }
        let first = try #require(checkpointer.lastCheckpoint)
        #expect(first.walFrames >= threshold, "a WAL under the threshold is left alone")
        // Caught up: with no concurrent readers in the way, a checkpoint copies every frame. (One that ran during the
        // burst may have stopped at a reader's snapshot; each later commit flags the next.)
        for index in 0..<200 where checkpointer.lastCheckpoint.map({ $0.checkpointedFrames < $0.walFrames }) ?? true {
            _ = try await messages.post(MessageDraft(content: "after \(index)"), sessionID: session.id, by: user)
            try await Task.sleep(for: .milliseconds(30))
        }
        let last = try #require(checkpointer.lastCheckpoint)
        #expect(last.checkpointedFrames == last.walFrames, "every frame reached the database file")

        running.cancel()
        await running.value
        #expect(try await Self.writersAutomaticCheckpoint(of: store) == WALCheckpointer.automaticCheckpointFrames, "restored when it stops")
    }

    @Test func anInMemoryStoreHasNoWALToCheckpoint() throws {
        #expect(try SQLiteStore.inMemory().walCheckpointer(every: .seconds(1)) == nil)
    }
}
