import Foundation
import Models
import PostgresNIO

extension PostgresStore {
    public func events(sessionID: String, type: SessionEvent.Kind?, viewerID: String, page: PageRequest) async throws -> Page<SessionEvent> {
        let after = Int64(page.cursor?.id ?? "") ?? 0
        let sql = SQLBuilder()
        let viewer = sql.bind(viewerID)
        // Direct messages only for their two users, filtered here so that every page is full.
        var text = """
            SELECT * FROM session_events WHERE session_id = \(sql.bind(sessionID)) AND id > \(sql.bind(after))
                AND (recipient_id IS NULL OR recipient_id = \(viewer) OR actor_id = \(viewer))
            """
        if let type { text += " AND type = \(sql.bind(type.rawValue))" }
        let rows = try await self.rows(sql.query(text + " ORDER BY id LIMIT \(sql.bind(page.limit + 1))"))
        return Page(fetched: try rows.map(Self.event(from:)), limit: page.limit) { PageCursor(key: nil, id: String($0.id)) }
    }

    /// Events of every session after `id`, in id order, and the last id read: what a node's bus reads to feed its hub.
    /// A row this version cannot read (a newer node's event type, during a rolling upgrade) is left out, with a
    /// warning, rather than stopping every later event.
    package func events(after id: Int64, limit: Int) async throws -> (events: [SessionEvent], lastID: Int64?) {
        let rows = try await self.rows("SELECT * FROM session_events WHERE id > \(id) ORDER BY id LIMIT \(limit)")
        let events = rows.compactMap { row -> SessionEvent? in
            do {
                return try Self.event(from: row)
            } catch {
                self.logger.warning("skipped an event this node cannot read", metadata: ["error": .string(String(describing: error))])
                return nil
            }
        }
        return (events, try rows.last?.get("id", as: Int64.self))
    }

    /// The id of the newest event of any session (every id up to it is committed or gone).
    package func latestEventID() async throws -> Int64 {
        try await self.row("SELECT last_id FROM event_counter")?.get("last_id", as: Int64.self) ?? 0
    }

    public func latestEventID(sessionID: String) async throws -> Int64 {
        try await self.row("SELECT MAX(id) AS id FROM session_events WHERE session_id = \(sessionID)")?.get("id", as: Int64?.self) ?? 0
    }

    /// Appends to the event log inside the caller's transaction. The id is the counter row's next value: its row lock is
    /// held until this transaction ends, so a concurrent writer (this node's next batch or another node) takes the
    /// following id only after this one committed or rolled back. Ids are therefore gap-free and visible in id order.
    ///
    /// `alongside` adds statements of the same write as common table expressions (`name AS (INSERT ...)`), so that the
    /// write and its event take one round trip to the database.
    static func append(
        _ event: NewSessionEvent, at time: Date, in transaction: PostgresTransaction, alongside: (SQLBuilder) -> [String] = { _ in [] }
    ) async throws -> SessionEvent {
        let sql = SQLBuilder()
        let statements = alongside(sql) + ["next AS (UPDATE event_counter SET last_id = last_id + 1 RETURNING last_id)"]
        let values = [
            event.sessionID, event.type.rawValue, event.actorID, event.recipientID, event.messageID, JSONValue.object(event.payload).jsonText,
        ].map { sql.bind($0) }
        guard
            let row = try await transaction.row(
                sql.query(
                    """
                    WITH \(statements.joined(separator: ", "))
                    INSERT INTO session_events (id, session_id, type, actor_id, recipient_id, message_id, payload, created_at)
                    SELECT last_id, \(values.joined(separator: ", ")), \(sql.bind(time)) FROM next RETURNING id
                    """
                )
            )
        else { throw DomainError.storeUnavailable(retryAfterSeconds: PostgresFailure.retryAfterSeconds) }
        let stored = event.stored(id: try row.get("id"), at: time)
        transaction.stage(stored)
        return stored
    }

    /// Brings every logged copy of a message to its current text (see `LoggedMessageText`).
    static func rewriteLoggedText(of message: SessionMessage, in transaction: PostgresTransaction) async throws {
        guard case .object(let current) = try JSONValue(encoding: message) else { return }
        for row in try await transaction.rows("SELECT id, payload FROM session_events WHERE message_id = \(message.id)") {
            let logged = try WireFormat.makeDecoder().decode([String: JSONValue].self, from: Data(try row.get("payload", as: String.self).utf8))
            let payload = JSONValue.object(LoggedMessageText.rewrite(logged, to: current)).jsonText
            try await transaction.execute("UPDATE session_events SET payload = \(payload) WHERE id = \(try row.get("id", as: Int64.self))")
        }
    }

    static func event(from row: PostgresRandomAccessRow) throws -> SessionEvent {
        let id: Int64 = try row.get("id")
        guard let type = SessionEvent.Kind(rawValue: try row.get("type")) else {
            throw PostgresRowError(message: "session_events row \(id) has an unknown type")
        }
        return SessionEvent(
            id: id,
            sessionID: try row.get("session_id"),
            type: type,
            actorID: try row.get("actor_id"),
            recipientID: try row.get("recipient_id"),
            createdAt: try row.date("created_at"),
            payload: try WireFormat.makeDecoder().decode([String: JSONValue].self, from: Data(try row.get("payload", as: String.self).utf8))
        )
    }
}
