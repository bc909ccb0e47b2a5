import Foundation
import GRDB
import Synchronization
import Testing

@testable import Models

/// Events the store published, in order, and the access changes announced.
final class RecordingPublisher: EventPublisher {
    private let events = Mutex<[SessionEvent]>([])
    private let changes = Mutex<[AccessChange]>([])
    var published: [SessionEvent] { self.events.withLock { $0 } }
    var accessChanges: [AccessChange] { self.changes.withLock { $0 } }
    func publish(_ event: SessionEvent) { self.events.withLock { $0.append(event) } }
    func accessChanged(_ change: AccessChange) { self.changes.withLock { $0.append(change) } }
}

/// What the store acknowledged stays stored, and what it did not store is never announced.
@Suite("Durability of acknowledged writes")
struct DurabilityTests {
    let folder: URL

    init() throws {
        self.folder = FileManager.default.temporaryDirectory.appendingPathComponent("sessionhub-durability-\(UUID().uuidString)")
    }

    /// A file store with a user and a session.
    private func openStore(publisher: any EventPublisher = DiscardingPublisher()) async throws -> (SQLiteStore, MessageService, User, CodingSession) {
        let store = try SQLiteStore.open(path: self.folder.appendingPathComponent("store.sqlite").path, publisher: publisher)
        let accounts = AccountService(store: store, hasher: PlainTextHasher(), refreshTokenLifetime: 3600)
        let sessions = SessionService(store: store, publisher: publisher, maxSessionsPerUser: 10)
        let user = try await accounts.register(Registration(email: "ann@example.com", username: "ann", password: "password-1"))
        let session = try await sessions.create(SessionDraft(type: "claude"), by: user)
        return (store, MessageService(sessions: sessions, store: store), user, session)
    }

    @Test func theWriterSyncsEveryCommit() async throws {
        let (store, _, _, _) = try await self.openStore()
        let synchronous = try await store.database.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2)  // FULL
    }

    @Test func aJobThatAbortsTheTransactionFailsItsBatchAndPublishesNothing() async throws {
        let publisher = RecordingPublisher()
        let (store, messages, user, session) = try await self.openStore(publisher: publisher)
        // Hold the writer until a message and an injected ROLLBACK are queued behind it, so they share the next batch.
        let release = DispatchSemaphore(value: 0)
        let holding = Atomic(false)
        let holder = Task {
            try await store.write { _ in
                holding.store(true, ordering: .sequentiallyConsistent)
                release.wait()
            }
        }
        try await Self.waitUntil { holding.load(ordering: .sequentiallyConsistent) }
        let message = SessionMessage(
            id: UUID().uuidString.lowercased(), sessionID: session.id, userID: user.id, username: user.username, type: .chat,
            content: "in the aborted batch", mentions: [], file: nil, line: nil, codeSnippet: nil, parentID: nil, toUserID: nil,
            createdAt: Date(), editedAt: nil, deletedAt: nil, reactions: []
        )
        let event = NewSessionEvent(sessionID: session.id, type: .chatMessage, actorID: user.id, messageID: message.id, payload: [:])
        let posted = Task { try await store.insertMessage(message, event: event) }
        try await Self.waitUntil { store.writer.queuedWrites == 1 }
        let aborted = Task { try await store.write { db in try db.execute(sql: "ROLLBACK") } }
        try await Self.waitUntil { store.writer.queuedWrites == 2 }
        release.signal()
        try await holder.value
        await #expect(throws: DomainError.storeUnavailable(retryAfterSeconds: StoreFailure.retryAfterSeconds)) { try await posted.value }
        await #expect(throws: (any Error).self) { try await aborted.value }

        let after = try await messages.post(MessageDraft(content: "after"), sessionID: session.id, by: user)
        #expect(publisher.published.map(\.id) == [try #require(after.eventID)])
        let log = try await store.events(sessionID: session.id, type: nil, viewerID: user.id, page: PageRequest())
        #expect(log.items.map(\.type) == [.chatMessage])
        let listed = try await messages.list(sessionID: session.id, for: user, matching: MessageQuery(), page: PageRequest())
        #expect(listed.items.map(\.content) == ["after"])
    }

    /// Polls a condition another task or thread makes true, failing after `limit`.
    static func waitUntil(within limit: Duration = .seconds(5), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            try #require(ContinuousClock.now < deadline, "condition not met in time")
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func aFullDiskAnswersStoreUnavailableAndRecovers() async throws {
        let (store, messages, user, session) = try await self.openStore()
        let pages = try await store.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try await store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pages + 2)") }
        let large = MessageDraft(content: String(repeating: "x", count: 9_000))
        let error = await #expect(throws: DomainError.self) {
            for _ in 0..<50 { _ = try await messages.post(large, sessionID: session.id, by: user) }
        }
        #expect(error?.errorCode == .storeUnavailable)

        try await store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1000000") }
        let recovered = try await messages.post(MessageDraft(content: "space is back"), sessionID: session.id, by: user)
        #expect(recovered.eventID != nil)
    }
}
