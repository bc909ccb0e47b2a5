import Foundation
import GRDB

extension SQLiteStore {
    public func events(sessionID: String, type: SessionEvent.Kind?, viewerID: String, page: PageRequest) async throws -> Page<SessionEvent> {
        try await self.database.read { db in
            let after = Int64(page.cursor?.id ?? "") ?? 0
            // Direct messages only for their two users, filtered here so that every page is full.
            var sql = """
                SELECT * FROM session_events WHERE session_id = ? AND id > ?
                    AND (recipient_id IS NULL OR recipient_id = ? OR actor_id = ?)
                """
            var arguments: StatementArguments = [sessionID, after, viewerID, viewerID]
            if let type {
                sql += " AND type = ?"
                arguments += [type.rawValue]
            }
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY id LIMIT ?", arguments: arguments + [page.limit + 1])
            return Page(fetched: try rows.map(Self.event(from:)), limit: page.limit) { PageCursor(key: nil, id: String($0.id)) }
        }
    }

    public func latestEventID(sessionID: String) async throws -> Int64 {
        try await self.database.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM session_events WHERE session_id = ?"), arguments: [sessionID]) ?? 0
        }
    }

    /// Appends to the event log inside the caller's write, so the change and its event commit together; the event is
    /// published once that write commits (and never if it rolls back).
    func append(_ event: NewSessionEvent, at time: Date, in db: Database) throws -> SessionEvent {
        let payload = JSONValue.object(event.payload).jsonText
        try db.cachedStatement(
            sql: """
                INSERT INTO session_events (session_id, type, actor_id, recipient_id, message_id, payload, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [event.sessionID, event.type.rawValue, event.actorID, event.recipientID, event.messageID, payload, time])
        let stored = event.stored(id: db.lastInsertedRowID, at: time)
        self.writer.stage(stored)
        return stored
    }

    /// Brings every logged copy of a message to its current text (see `LoggedMessageText`).
    static func rewriteLoggedText(of message: SessionMessage, in db: Database) throws {
        guard case .object(let current) = try JSONValue(encoding: message) else { return }
        let rows = try Row.fetchAll(db, sql: "SELECT id, payload FROM session_events WHERE message_id = ?", arguments: [message.id])
        for row in rows {
            let logged = try WireFormat.makeDecoder().decode([String: JSONValue].self, from: Data((row["payload"] as String).utf8))
            let payload = LoggedMessageText.rewrite(logged, to: current)
            try db.execute(
                sql: "UPDATE session_events SET payload = ? WHERE id = ?",
                arguments: [JSONValue.object(payload).jsonText, row["id"] as Int64]
            )
        }
    }

    static func event(from row: Row) throws -> SessionEvent {
        let payloadText: String = row["payload"]
        guard let type = SessionEvent.Kind(rawValue: row["type"]) else {
            throw DatabaseError(message: "session_events row \(row["id"] as Int64) has an unknown type")
        }
        return SessionEvent(
            id: row["id"],
            sessionID: row["session_id"],
            type: type,
            actorID: row["actor_id"],
            recipientID: row["recipient_id"],
            createdAt: row["created_at"],
            payload: try WireFormat.makeDecoder().decode([String: JSONValue].self, from: Data(payloadText.utf8))
        )
    }
}
