import Foundation
import GRDB

extension SQLiteStore {
    public func events(sessionID: String, type: String?, page: PageRequest) async throws -> Page<SessionEvent> {
        try await self.database.read { db in
            let after = Int64(page.cursor?.id ?? "") ?? 0
            var sql = "SELECT * FROM session_events WHERE session_id = ? AND id > ?"
            var arguments: StatementArguments = [sessionID, after]
            if let type {
                sql += " AND type = ?"
                arguments += [type]
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
        try db.cachedStatement(sql: "INSERT INTO session_events (session_id, type, actor_id, payload, created_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [event.sessionID, event.type, event.actorID, payload, time])
        let stored = SessionEvent(
            id: db.lastInsertedRowID,
            sessionID: event.sessionID,
            type: event.type,
            actorID: event.actorID,
            createdAt: time,
            payload: event.payload
        )
        self.writer.stage(stored)
        return stored
    }

    static func event(from row: Row) throws -> SessionEvent {
        let payloadText: String = row["payload"]
        return SessionEvent(
            id: row["id"],
            sessionID: row["session_id"],
            type: row["type"],
            actorID: row["actor_id"],
            createdAt: row["created_at"],
            payload: try WireFormat.makeDecoder().decode([String: JSONValue].self, from: Data(payloadText.utf8))
        )
    }
}

extension SQLiteStore {
    public func isMember(userID: String, teamID: String) async throws -> Bool {
        try await self.database.read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?)",
                arguments: [teamID, userID]
            ) ?? false
        }
    }
}
