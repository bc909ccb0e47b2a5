import Foundation
import GRDB

extension SQLiteStore {
    static let messageSelect = "SELECT m.*, u.username FROM session_messages m LEFT JOIN users u ON u.id = m.user_id"

    public func insertMessage(_ message: SessionMessage, event: NewSessionEvent) async throws -> SessionEvent {
        try await self.write { db in
            // Cached: the chat path runs these for every message.
            try db.cachedStatement(
                sql: """
                    INSERT INTO session_messages (id, session_id, user_id, message_type, content, mentions, file_path, line_number,
                        code_snippet, parent_id, to_user_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    message.id, message.sessionID, message.userID, message.type.rawValue, message.content ?? "",
                    StoreText.json(message.mentions), message.file, message.line, message.codeSnippet, message.parentID, message.toUserID,
                    message.createdAt,
                ]
            )
            try db.cachedStatement(sql: "UPDATE sessions SET last_activity = ? WHERE id = ?").execute(arguments: [
                message.createdAt, message.sessionID,
            ])
            return try self.append(event, at: message.createdAt, in: db)
        }
    }

    public func message(id: String, sessionID: String) async throws -> SessionMessage? {
        try await self.database.read { db in
            try Self.message(id: id, sessionID: sessionID, in: db)
        }
    }

    public func messages(
        sessionID: String, viewerID: String, matching query: MessageQuery, page: PageRequest
    ) async throws
        -> Page<SessionMessage>
    {
        try await self.database.read { db in
            var clauses = ["m.session_id = ?", "(m.message_type != 'direct' OR m.user_id = ? OR m.to_user_id = ?)"]
            var arguments: StatementArguments = [sessionID, viewerID, viewerID]
            if let type = query.type {
                clauses.append("m.message_type = ?")
                arguments += [type.rawValue]
            }
            if let parentID = query.parentID {
                clauses.append("m.parent_id = ?")
                arguments += [parentID]
            }
            if let file = query.file {
                clauses.append("m.file_path = ?")
                arguments += [file]
            }
            // Backwards when asked for messages before one (or when continuing such a listing): newest first, then reversed.
            let backwards = query.before != nil || page.cursor?.key == "before"
            if let cursor = page.cursor, let seq = Int64(cursor.id) {
                clauses.append(backwards ? "m.seq < ?" : "m.seq > ?")
                arguments += [seq]
            } else if let anchor = query.before ?? query.after {
                let seq = try Int64.fetchOne(
                    db, sql: "SELECT seq FROM session_messages WHERE id = ? AND session_id = ?", arguments: [anchor, sessionID])
                guard let seq else { throw DomainError.invalid(query.before != nil ? "before" : "after", "names no message of this session") }
                clauses.append(backwards ? "m.seq < ?" : "m.seq > ?")
                arguments += [seq]
            }
            let sql = "\(Self.messageSelect) WHERE \(clauses.joined(separator: " AND ")) ORDER BY m.seq \(backwards ? "DESC" : "ASC") LIMIT ?"
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments + [page.limit + 1])
            let reactions = try Self.reactions(forMessages: rows.map { $0["id"] }, in: db)
            let fetched = rows.map { row in (seq: row["seq"] as Int64, message: Self.message(from: row, reactions: reactions[row["id"]] ?? [])) }
            let paged = Page(fetched: fetched, limit: page.limit) { PageCursor(key: backwards ? "before" : nil, id: String($0.seq)) }
            return Page(items: backwards ? paged.items.reversed().map(\.message) : paged.items.map(\.message), nextCursor: paged.nextCursor)
        }
    }

    public func updateMessageContent(
        id: String, content: String, mentions: [String], editedAt: Date, event: @escaping @Sendable (SessionMessage) throws -> NewSessionEvent
    ) async throws -> (SessionMessage, SessionEvent) {
        try await self.write { db in
            try db.execute(
                sql: "UPDATE session_messages SET content = ?, mentions = ?, edited_at = ? WHERE id = ?",
                arguments: [content, StoreText.json(mentions), editedAt, id]
            )
            guard let sessionID = try String.fetchOne(db, sql: "SELECT session_id FROM session_messages WHERE id = ?", arguments: [id]),
                let updated = try Self.message(id: id, sessionID: sessionID, in: db)
            else { throw DomainError.notFound("Message not found") }
            try Self.rewriteLoggedText(of: updated, in: db)
            return (updated, try self.append(event(updated), at: editedAt, in: db))
        }
    }

    public func softDeleteMessage(id: String, at time: Date, event: NewSessionEvent) async throws -> SessionEvent {
        try await self.write { db in
            // The text goes at once: "deleted" should mean gone, not hidden. The row stays so threads keep their shape.
            try db.execute(
                sql: """
                    UPDATE session_messages SET content = '', mentions = '[]', code_snippet = NULL, deleted_at = ?
                    WHERE id = ? AND deleted_at IS NULL
                    """,
                arguments: [time, id]
            )
            // A concurrent delete got there first: one message_deleted event, not two.
            guard db.changesCount > 0 else { throw DomainError.notFound("Message not found") }
            try db.execute(sql: "DELETE FROM message_reactions WHERE message_id = ?", arguments: [id])
            if let sessionID = try String.fetchOne(db, sql: "SELECT session_id FROM session_messages WHERE id = ?", arguments: [id]),
                let deleted = try Self.message(id: id, sessionID: sessionID, in: db)
            {
                try Self.rewriteLoggedText(of: deleted, in: db)
            }
            return try self.append(event, at: time, in: db)
        }
    }

    public func addReaction(
        messageID: String, userID: String, emoji: String, event: @escaping @Sendable ([ReactionSummary]) throws -> NewSessionEvent
    )
        async throws -> (reactions: [ReactionSummary], event: SessionEvent)?
    {
        try await self.write { db in
            let now = WireFormat.now()
            try db.execute(
                sql: "INSERT OR IGNORE INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)",
                arguments: [messageID, userID, emoji, now]
            )
            guard db.changesCount > 0 else { return nil }
            let reactions = try Self.reactions(forMessages: [messageID], in: db)[messageID] ?? []
            return (reactions, try self.append(event(reactions), at: now, in: db))
        }
    }

    public func removeReaction(
        messageID: String, userID: String, emoji: String, event: @escaping @Sendable ([ReactionSummary]) throws -> NewSessionEvent
    )
        async throws -> (reactions: [ReactionSummary], event: SessionEvent)?
    {
        try await self.write { db in
            try db.execute(
                sql: "DELETE FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?",
                arguments: [messageID, userID, emoji]
            )
            guard db.changesCount > 0 else { return nil }
            let reactions = try Self.reactions(forMessages: [messageID], in: db)[messageID] ?? []
            return (reactions, try self.append(event(reactions), at: WireFormat.now(), in: db))
        }
    }

    public func participantIDs(sessionID: String, usernames: [String]) async throws -> [String] {
        try await self.database.read { db in
            let placeholders = Array(repeating: "?", count: usernames.count).joined(separator: ", ")
            return try String.fetchAll(
                db,
                sql: """
                    SELECT u.id FROM users u JOIN session_participants p ON p.user_id = u.id AND p.session_id = ?
                    WHERE u.username IN (\(placeholders))
                    """,
                arguments: StatementArguments([sessionID] + usernames)
            )
        }
    }

    static func message(id: String, sessionID: String, in db: Database) throws -> SessionMessage? {
        guard let row = try Row.fetchOne(db, sql: "\(self.messageSelect) WHERE m.id = ? AND m.session_id = ?", arguments: [id, sessionID])
        else { return nil }
        return self.message(from: row, reactions: try self.reactions(forMessages: [id], in: db)[id] ?? [])
    }

    static func reactions(forMessages ids: [String], in db: Database) throws -> [String: [ReactionSummary]] {
        guard !ids.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT message_id, emoji, COUNT(*) AS count, json_group_array(user_id) AS users FROM message_reactions
                WHERE message_id IN (\(placeholders)) GROUP BY message_id, emoji ORDER BY MIN(created_at), emoji
                """,
            arguments: StatementArguments(ids)
        )
        return Dictionary(grouping: rows, by: { $0["message_id"] as String }).mapValues { rows in
            rows.map { row in
                ReactionSummary(emoji: row["emoji"], count: row["count"], userIDs: StoreText.decodeStrings(row["users"]))
            }
        }
    }

    private static func message(from row: Row, reactions: [ReactionSummary]) -> SessionMessage {
        let deletedAt: Date? = row["deleted_at"]
        return SessionMessage(
            id: row["id"], sessionID: row["session_id"], userID: row["user_id"], username: row["username"],
            type: MessageType(rawValue: row["message_type"]) ?? .chat, content: deletedAt == nil ? row["content"] : nil,
            mentions: StoreText.decodeStrings(row["mentions"]), file: row["file_path"], line: row["line_number"],
            codeSnippet: deletedAt == nil ? row["code_snippet"] : nil, parentID: row["parent_id"], toUserID: row["to_user_id"],
            createdAt: row["created_at"], editedAt: row["edited_at"], deletedAt: deletedAt, reactions: reactions
        )
    }

}
