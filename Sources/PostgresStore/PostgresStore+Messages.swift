import Foundation
import Models
import PostgresNIO

extension PostgresStore {
    static let messageSelect = "SELECT m.*, u.username FROM session_messages m LEFT JOIN users u ON u.id = m.user_id"

    public func insertMessage(_ message: SessionMessage, event: NewSessionEvent) async throws -> SessionEvent {
        try await self.write { transaction in
            // The busiest write: the message, the session's activity and the event in one statement.
            try await Self.append(event, at: message.createdAt, in: transaction) { sql in
                let values = [
                    sql.bind(message.id), sql.bind(message.sessionID), sql.bind(message.userID), sql.bind(message.type.rawValue),
                    sql.bind(message.content ?? ""), sql.bind(StoreText.json(message.mentions)), sql.bind(message.file), sql.bind(message.line),
                    sql.bind(message.codeSnippet), sql.bind(message.parentID), sql.bind(message.toUserID), sql.bind(message.createdAt),
                ]
                return [
                    """
                    message AS (INSERT INTO session_messages (id, session_id, user_id, message_type, content, mentions, file_path,
                        line_number, code_snippet, parent_id, to_user_id, created_at) VALUES (\(values.joined(separator: ", "))))
                    """,
                    "activity AS (UPDATE sessions SET last_activity = \(sql.bind(message.createdAt)) WHERE id = \(sql.bind(message.sessionID)))",
                ]
            }
        }
    }

    public func message(id: String, sessionID: String) async throws -> SessionMessage? {
        guard let row = try await self.row("\(unescaped: Self.messageSelect) WHERE m.id = \(id) AND m.session_id = \(sessionID)") else {
            return nil
        }
        let reactions = try Self.reactions(from: try await self.rows(Self.reactionsQuery(forMessages: [id])))
        return try Self.message(from: row, reactions: reactions[id] ?? [])
    }

    public func messages(
        sessionID: String, viewerID: String, matching query: MessageQuery, page: PageRequest
    ) async throws
        -> Page<SessionMessage>
    {
        let sql = SQLBuilder()
        let viewer = sql.bind(viewerID)
        var clauses = [
            "m.session_id = \(sql.bind(sessionID))", "(m.message_type != 'direct' OR m.user_id = \(viewer) OR m.to_user_id = \(viewer))",
        ]
        if let type = query.type { clauses.append("m.message_type = \(sql.bind(type.rawValue))") }
        if let parentID = query.parentID { clauses.append("m.parent_id = \(sql.bind(parentID))") }
        if let file = query.file { clauses.append("m.file_path = \(sql.bind(file))") }
        // Backwards when asked for messages before one (or when continuing such a listing): newest first, then reversed.
        let backwards = query.before != nil || page.cursor?.key == "before"
        if let cursor = page.cursor, let seq = Int64(cursor.id) {
            clauses.append("m.seq \(backwards ? "<" : ">") \(sql.bind(seq))")
        } else if let anchor = query.before ?? query.after {
            guard
                let seq: Int64 = try await self.row("SELECT seq FROM session_messages WHERE id = \(anchor) AND session_id = \(sessionID)")?
                    .get("seq")
            else { throw DomainError.invalid(query.before != nil ? "before" : "after", "names no message of this session") }
            clauses.append("m.seq \(backwards ? "<" : ">") \(sql.bind(seq))")
        }
        let rows = try await self.rows(
            sql.query(
                """
                \(Self.messageSelect) WHERE \(clauses.joined(separator: " AND ")) ORDER BY m.seq \(backwards ? "DESC" : "ASC")
                LIMIT \(sql.bind(page.limit + 1))
                """
            )
        )
        let ids = try rows.map { try $0.get("id", as: String.self) }
        let reactions = try Self.reactions(from: try await self.rows(Self.reactionsQuery(forMessages: ids)))
        let fetched = try zip(rows, ids).map { row, id in
            (seq: try row.get("seq", as: Int64.self), message: try Self.message(from: row, reactions: reactions[id] ?? []))
        }
        let paged = Page(fetched: fetched, limit: page.limit) { PageCursor(key: backwards ? "before" : nil, id: String($0.seq)) }
        return Page(items: backwards ? paged.items.reversed().map(\.message) : paged.items.map(\.message), nextCursor: paged.nextCursor)
    }

    public func updateMessageContent(
        id: String, content: String, mentions: [String], editedAt: Date, event: @escaping @Sendable (SessionMessage) throws -> NewSessionEvent
    ) async throws -> (SessionMessage, SessionEvent) {
        try await self.write { transaction in
            try await transaction.execute(
                "UPDATE session_messages SET content = \(content), mentions = \(StoreText.json(mentions)), edited_at = \(editedAt) WHERE id = \(id)")
            guard let updated = try await Self.message(id: id, in: transaction) else { throw DomainError.notFound("Message not found") }
            try await Self.rewriteLoggedText(of: updated, in: transaction)
            return (updated, try await Self.append(event(updated), at: editedAt, in: transaction))
        }
    }

    public func softDeleteMessage(id: String, at time: Date, event: NewSessionEvent) async throws -> SessionEvent {
        try await self.write { transaction in
            // The text goes at once: "deleted" should mean gone, not hidden. The row stays so threads keep their shape.
            let changed = try await transaction.changedRows(
                """
                UPDATE session_messages SET content = '', mentions = '[]', code_snippet = NULL, deleted_at = \(time)
                WHERE id = \(id) AND deleted_at IS NULL RETURNING 1
                """
            )
            // A concurrent delete got there first (the row lock made it wait): one message_deleted event, not two.
            guard changed > 0 else { throw DomainError.notFound("Message not found") }
            try await transaction.execute("DELETE FROM message_reactions WHERE message_id = \(id)")
            if let deleted = try await Self.message(id: id, in: transaction) {
                try await Self.rewriteLoggedText(of: deleted, in: transaction)
            }
            return try await Self.append(event, at: time, in: transaction)
        }
    }

    public func addReaction(
        messageID: String, userID: String, emoji: String, event: @escaping @Sendable ([ReactionSummary]) throws -> NewSessionEvent
    )
        async throws -> (reactions: [ReactionSummary], event: SessionEvent)?
    {
        try await self.write { transaction in
            let now = WireFormat.now()
            // ON CONFLICT: a reaction added meanwhile (on any node) makes this one a no-op rather than an error.
            let inserted = try await transaction.changedRows(
                """
                INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (\(messageID), \(userID), \(emoji), \(now))
                ON CONFLICT DO NOTHING RETURNING 1
                """
            )
            guard inserted > 0 else { return nil }
            let reactions = try Self.reactions(from: try await transaction.rows(Self.reactionsQuery(forMessages: [messageID])))[messageID] ?? []
            return (reactions, try await Self.append(event(reactions), at: now, in: transaction))
        }
    }

    public func removeReaction(
        messageID: String, userID: String, emoji: String, event: @escaping @Sendable ([ReactionSummary]) throws -> NewSessionEvent
    )
        async throws -> (reactions: [ReactionSummary], event: SessionEvent)?
    {
        try await self.write { transaction in
            let removed = try await transaction.changedRows(
                "DELETE FROM message_reactions WHERE message_id = \(messageID) AND user_id = \(userID) AND emoji = \(emoji) RETURNING 1")
            guard removed > 0 else { return nil }
            let reactions = try Self.reactions(from: try await transaction.rows(Self.reactionsQuery(forMessages: [messageID])))[messageID] ?? []
            return (reactions, try await Self.append(event(reactions), at: WireFormat.now(), in: transaction))
        }
    }

    public func participantIDs(sessionID: String, usernames: [String]) async throws -> [String] {
        let lowered = usernames.map { $0.lowercased() }
        return try await self.rows(
            """
            SELECT u.id FROM users u JOIN session_participants p ON p.user_id = u.id AND p.session_id = \(sessionID)
            WHERE lower(u.username) = ANY(\(lowered))
            """
        ).map { try $0.get("id") }
    }

    private static func message(id: String, in transaction: PostgresTransaction) async throws -> SessionMessage? {
        guard let row = try await transaction.row("\(unescaped: self.messageSelect) WHERE m.id = \(id)") else { return nil }
        let reactions = try self.reactions(from: try await transaction.rows(self.reactionsQuery(forMessages: [id])))
        return try self.message(from: row, reactions: reactions[id] ?? [])
    }

    private static func reactionsQuery(forMessages ids: [String]) -> PostgresQuery {
        """
        SELECT message_id, emoji, COUNT(*) AS count, array_agg(user_id ORDER BY created_at, user_id) AS users FROM message_reactions
        WHERE message_id = ANY(\(ids)) GROUP BY message_id, emoji ORDER BY MIN(created_at), emoji
        """
    }

    private static func reactions(from rows: [PostgresRandomAccessRow]) throws -> [String: [ReactionSummary]] {
        var reactions: [String: [ReactionSummary]] = [:]
        for row in rows {
            reactions[try row.get("message_id"), default: []].append(
                ReactionSummary(emoji: try row.get("emoji"), count: try row.get("count"), userIDs: try row.get("users")))
        }
        return reactions
    }

    private static func message(from row: PostgresRandomAccessRow, reactions: [ReactionSummary]) throws -> SessionMessage {
        let deletedAt = try row.optionalDate("deleted_at")
        let content: String = try row.get("content")
        let codeSnippet: String? = try row.get("code_snippet")
        return SessionMessage(
            id: try row.get("id"), sessionID: try row.get("session_id"), userID: try row.get("user_id"), username: try row.get("username"),
            type: MessageType(rawValue: try row.get("message_type")) ?? .chat,
            content: deletedAt == nil ? content : nil, mentions: StoreText.decodeStrings(try row.get("mentions")),
            file: try row.get("file_path"), line: try row.get("line_number"),
            codeSnippet: deletedAt == nil ? codeSnippet : nil, parentID: try row.get("parent_id"),
            toUserID: try row.get("to_user_id"), createdAt: try row.date("created_at"), editedAt: try row.optionalDate("edited_at"),
            deletedAt: deletedAt, reactions: reactions
        )
    }

    /// Counts computed by PostgreSQL's aggregates; other people's direct messages are not counted for the viewer.
    public func messageStats(sessionID: String, viewerID: String) async throws -> MessageStats {
        let sql = SQLBuilder()
        let session = sql.bind(sessionID)
        let viewer = sql.bind(viewerID)
        let visible = "m.session_id = \(session) AND (m.message_type != 'direct' OR m.user_id = \(viewer) OR m.to_user_id = \(viewer))"
        let totals = try await self.row(
            sql.query(
                """
                SELECT COUNT(*) FILTER (WHERE m.deleted_at IS NULL) AS total,
                    COUNT(*) FILTER (WHERE m.deleted_at IS NOT NULL) AS deleted,
                    COUNT(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.deleted_at IS NULL) AS replies,
                    COUNT(DISTINCT m.parent_id) AS threads,
                    (SELECT COUNT(*) FROM message_reactions r JOIN session_messages rm ON rm.id = r.message_id WHERE rm.session_id = \(session))
                        AS reactions
                FROM session_messages m WHERE \(visible)
                """
            )
        )
        let byType = try await self.rows(
            sql.query(
                "SELECT m.message_type, COUNT(*) AS count FROM session_messages m WHERE \(visible) AND m.deleted_at IS NULL GROUP BY m.message_type"
            )
        )
        let emojis = try await self.rows(
            """
            SELECT r.emoji, COUNT(*) AS count FROM message_reactions r JOIN session_messages m ON m.id = r.message_id
            WHERE m.session_id = \(sessionID) GROUP BY r.emoji ORDER BY count DESC, r.emoji LIMIT 10
            """
        )
        let byUser = try await self.rows(
            sql.query(
                """
                SELECT m.user_id, MIN(u.username) AS username, COUNT(*) AS count FROM session_messages m LEFT JOIN users u ON u.id = m.user_id
                WHERE \(visible) AND m.deleted_at IS NULL AND m.user_id IS NOT NULL
                GROUP BY m.user_id ORDER BY count DESC, m.user_id
                """
            )
        )
        var types = Dictionary(uniqueKeysWithValues: MessageType.allCases.map { ($0.rawValue, 0) })
        for row in byType {
            let type: String = try row.get("message_type")
            types[type] = try row.get("count", as: Int.self)
        }
        return MessageStats(
            total: try totals?.get("total") ?? 0, byType: types, threads: try totals?.get("threads") ?? 0,
            replies: try totals?.get("replies") ?? 0, reactions: try totals?.get("reactions") ?? 0, deleted: try totals?.get("deleted") ?? 0,
            topEmojis: try emojis.map { EmojiCount(emoji: try $0.get("emoji"), count: try $0.get("count")) },
            byUser: try byUser.map {
                UserMessageCount(userID: try $0.get("user_id"), username: try $0.get("username"), messages: try $0.get("count"))
            }
        )
    }
}
