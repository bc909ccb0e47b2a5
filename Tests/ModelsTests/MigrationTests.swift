import Foundation
import GRDB
import Testing

@testable import Models

/// A database written before the privacy fixes is brought in line when it is opened by this version.
@Suite("Upgrading an existing database")
struct MigrationTests {
    @Test func oldDirectMessagesBecomePrivateAndOldTextIsScrubbed() throws {
        let database = try DatabaseQueue()
        try SQLiteSchema.migrator.migrate(database, upTo: "v2-refresh-token-expiry")
        let now = Date()
        try database.write { db in
            for user in ["ann", "bob", "cat"] {
                try db.execute(
                    sql: "INSERT INTO users (id, email, username, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, ?)",
                    arguments: [user, "\(user)@example.com", user, now, now]
                )
            }
            try db.execute(
                sql:
                    "INSERT INTO sessions (id, type, status, start_time, last_activity, visibility, created_at, updated_at) VALUES ('s', 'claude', 'active', ?, ?, 'public', ?, ?)",
                arguments: [now, now, now, now]
            )
            let messages: [(id: String, type: String, content: String, to: String?, edited: Date?, deleted: Date?)] = [
                ("gone", "chat", "", nil, nil, now), ("edited", "chat", "current words", nil, now, nil), ("dm", "direct", "psst", "bob", nil, nil),
            ]
            for message in messages {
                try db.execute(
                    sql: """
                        INSERT INTO session_messages (id, session_id, user_id, message_type, content, to_user_id, created_at, edited_at, deleted_at)
                        VALUES (?, 's', 'ann', ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [message.id, message.type, message.content, message.to, now, message.edited, message.deleted]
                )
            }
            let events: [(type: String, payload: String)] = [
                ("chat_message", #"{"message":{"id":"gone","content":"deleted words","mentions":[]}}"#),
                ("chat_message", #"{"message":{"id":"edited","content":"first words","mentions":[]}}"#),
                ("message_updated", #"{"message":{"id":"edited","content":"second words","mentions":[]}}"#),
                ("direct_message", #"{"message":{"id":"dm","content":"psst","to_user_id":"bob"}}"#),
            ]
            for event in events {
                try db.execute(
                    sql: "INSERT INTO session_events (session_id, type, actor_id, payload, created_at) VALUES ('s', ?, 'ann', ?, ?)",
                    arguments: [event.type, event.payload, now]
                )
            }
        }

        try SQLiteSchema.migrator.migrate(database)

        let payloads = try database.read { db in try String.fetchAll(db, sql: "SELECT payload FROM session_events ORDER BY id") }
        #expect(!payloads.contains { $0.contains("deleted words") || $0.contains("first words") || $0.contains("second words") })
        #expect(payloads.filter { $0.contains("current words") }.count == 2)
        let visibleToCat = try database.read { db in
            try String.fetchAll(
                db, sql: "SELECT type FROM session_events WHERE recipient_id IS NULL OR recipient_id = 'cat' OR actor_id = 'cat' ORDER BY id"
            )
        }
        #expect(visibleToCat == ["chat_message", "chat_message", "message_updated"])
        let visibleToBob = try database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM session_events WHERE recipient_id IS NULL OR recipient_id = 'bob' OR actor_id = 'bob'")
        }
        #expect(visibleToBob == 4)
    }
}
