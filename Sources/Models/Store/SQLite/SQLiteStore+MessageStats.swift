import GRDB

extension SQLiteStore {
    /// Counts computed by SQLite's aggregates; other people's direct messages are not counted for the viewer.
    public func messageStats(sessionID: String, viewerID: String) async throws -> MessageStats {
        try await self.database.read { db in
            let visible = "m.session_id = ? AND (m.message_type != 'direct' OR m.user_id = ? OR m.to_user_id = ?)"
            let arguments: StatementArguments = [sessionID, viewerID, viewerID]
            let totals = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FILTER (WHERE m.deleted_at IS NULL) AS total,
                        COUNT(*) FILTER (WHERE m.deleted_at IS NOT NULL) AS deleted,
                        COUNT(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.deleted_at IS NULL) AS replies,
                        COUNT(DISTINCT m.parent_id) AS threads,
                        (SELECT COUNT(*) FROM message_reactions r JOIN session_messages rm ON rm.id = r.message_id WHERE rm.session_id = ?)
                            AS reactions
                    FROM session_messages m WHERE \(visible)
                    """,
                arguments: [sessionID] + arguments
            )
            let byType = try Row.fetchAll(
                db,
                sql:
                    "SELECT m.message_type, COUNT(*) AS count FROM session_messages m WHERE \(visible) AND m.deleted_at IS NULL GROUP BY m.message_type",
                arguments: arguments
            )
            let emojis = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.emoji, COUNT(*) AS count FROM message_reactions r JOIN session_messages m ON m.id = r.message_id
                    WHERE m.session_id = ? GROUP BY r.emoji ORDER BY count DESC, r.emoji LIMIT 10
                    """,
                arguments: [sessionID]
            )
            let byUser = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.user_id, u.username, COUNT(*) AS count FROM session_messages m LEFT JOIN users u ON u.id = m.user_id
                    WHERE \(visible) AND m.deleted_at IS NULL AND m.user_id IS NOT NULL
                    GROUP BY m.user_id ORDER BY count DESC, m.user_id
                    """,
                arguments: arguments
            )
            let types = Dictionary(uniqueKeysWithValues: MessageType.allCases.map { ($0.rawValue, 0) })
                .merging(byType.map { ($0["message_type"] as String, $0["count"] as Int) }) { $1 }
            return MessageStats(
                total: totals?["total"] ?? 0, byType: types, threads: totals?["threads"] ?? 0, replies: totals?["replies"] ?? 0,
                reactions: totals?["reactions"] ?? 0, deleted: totals?["deleted"] ?? 0,
                topEmojis: emojis.map { EmojiCount(emoji: $0["emoji"], count: $0["count"]) },
                byUser: byUser.map { UserMessageCount(userID: $0["user_id"], username: $0["username"], messages: $0["count"]) }
            )
        }
    }
}
