import Foundation
import Models
import Testing

/// A session or message deleted between a service's checks and its write must give NOT_FOUND, never a store error.
@Suite("Writes racing a deletion")
struct ConcurrentDeletionTests {
    let store: SQLiteStore
    let messages: MessageService
    let user: User
    let session: CodingSession

    init() async throws {
        let store = try SQLiteStore.inMemory()
        let sessions = SessionService(store: store, publisher: DiscardingPublisher(), maxSessionsPerUser: 10)
        let accounts = AccountService(store: store, hasher: PlainTextHasher(), refreshTokenLifetime: 3600)
        self.store = store
        self.messages = MessageService(sessions: sessions, store: store)
        self.user = try await accounts.register(Registration(email: "ann@example.com", username: "ann", password: "password-1"))
        self.session = try await sessions.create(SessionDraft(type: "claude"), by: self.user)
    }

    private func expectNotFound(_ body: () async throws -> Void) async {
        let error = await #expect(throws: DomainError.self) { try await body() }
        #expect(error?.errorCode == .notFound)
    }

    @Test func deletingAMessageOfADeletedSession() async throws {
        let message = try await self.messages.post(MessageDraft(content: "hello"), sessionID: self.session.id, by: self.user).value
        try await self.store.deleteSession(id: self.session.id)
        let event = NewSessionEvent(sessionID: self.session.id, type: .messageDeleted, actorID: self.user.id, payload: [:])
        await self.expectNotFound { _ = try await self.store.softDeleteMessage(id: message.id, at: Date(), event: event) }
    }

    @Test func postingIntoADeletedSession() async throws {
        try await self.store.deleteSession(id: self.session.id)
        let message = SessionMessage(
            id: UUID().uuidString.lowercased(), sessionID: self.session.id, userID: self.user.id, username: self.user.username,
            type: .chat, content: "hello", mentions: [], file: nil, line: nil, codeSnippet: nil, parentID: nil, toUserID: nil,
            createdAt: Date(), editedAt: nil, deletedAt: nil, reactions: []
        )
        let event = NewSessionEvent(sessionID: self.session.id, type: .chatMessage, actorID: self.user.id, payload: [:])
        await self.expectNotFound { _ = try await self.store.insertMessage(message, event: event) }
    }

    @Test func deletingTwiceRecordsOneEvent() async throws {
        let message = try await self.messages.post(MessageDraft(content: "hello"), sessionID: self.session.id, by: self.user).value
        let event = NewSessionEvent(sessionID: self.session.id, type: .messageDeleted, actorID: self.user.id, payload: [:])
        _ = try await self.store.softDeleteMessage(id: message.id, at: Date(), event: event)
        await self.expectNotFound { _ = try await self.store.softDeleteMessage(id: message.id, at: Date(), event: event) }
        let log = try await self.store.events(sessionID: self.session.id, type: .messageDeleted, viewerID: self.user.id, page: PageRequest())
        #expect(log.items.count == 1)
    }
}
