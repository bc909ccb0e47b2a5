import Foundation
import GRDB
import Testing

@testable import Models

/// "Deleted" means gone from the database file too, not just hidden on the way out.
@Suite("Deleted text at rest")
struct DeletedTextTests {
    @Test func aDeletedCommentKeepsNeitherItsTextNorItsSnippet() async throws {
        let store = try SQLiteStore.inMemory()
        let accounts = AccountService(store: store, hasher: PlainTextHasher(), refreshTokenLifetime: 3600)
        let sessions = SessionService(store: store, publisher: DiscardingPublisher(), maxSessionsPerUser: 10)
        let messages = MessageService(sessions: sessions, store: store, secrets: SecretScreen(policy: .off))
        let user = try await accounts.register(Registration(email: "ann@example.com", username: "ann", password: "password-1"))
        let session = try await sessions.create(SessionDraft(type: "claude"), by: user)
        let draft = MessageDraft(type: .comment, content: "look here", file: "a.swift", line: 3, codeSnippet: "let launchCode = 1234")
        let comment = try await messages.post(draft, sessionID: session.id, by: user).value
        try await messages.delete(messageID: comment.id, sessionID: session.id, by: user)
        let stored = try await store.database.read { db in
            try Row.fetchOne(db, sql: "SELECT content, code_snippet FROM session_messages WHERE id = ?", arguments: [comment.id])
        }
        #expect(stored?["content"] == "")
        #expect((stored?["code_snippet"] as String?) == nil)
        let logged = try await store.database.read { db in try String.fetchAll(db, sql: "SELECT payload FROM session_events") }
        #expect(!logged.contains { $0.contains("launchCode") || $0.contains("look here") })
    }
}
