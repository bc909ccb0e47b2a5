import Foundation
import GRDB

extension SQLiteStore {
    private static let insightSelect = """
        SELECT i.*, u.username AS author_username,
            EXISTS (SELECT 1 FROM insight_votes v WHERE v.insight_id = i.id AND v.user_id = ?) AS upvoted
        FROM shared_insights i LEFT JOIN users u ON u.id = i.author_id
        """
    private static let visibleInsight = "(i.team_id IS NULL OR i.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?))"

    public func insertInsight(_ insight: Insight) async throws {
        try await self.write { db in
            try db.execute(
                sql: """
                    INSERT INTO shared_insights (id, author_id, team_id, session_id, insight_type, title, content, tags, views, upvotes,
                        created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)
                    """,
                arguments: [
                    insight.id, insight.authorID, insight.teamID, insight.sessionID, insight.insightType.rawValue, insight.title,
                    insight.content, StoreText.json(insight.tags), insight.createdAt, insight.updatedAt,
                ]
            )
        }
    }

    public func insight(id: String, for userID: String) async throws -> Insight? {
        try await self.database.read { db in
            try Row.fetchOne(db, sql: "\(Self.insightSelect) WHERE i.id = ? AND \(Self.visibleInsight)", arguments: [userID, id, userID])
                .map(Self.insight(from:))
        }
    }

    public func insights(visibleTo userID: String, matching query: InsightQuery, page: PageRequest) async throws -> Page<Insight> {
        try await self.database.read { db in
            var clauses = [Self.visibleInsight]
            var arguments: StatementArguments = [userID, userID]
            for (clause, value) in [
                ("i.team_id = ?", query.teamID), ("i.insight_type = ?", query.insightType?.rawValue), ("i.session_id = ?", query.sessionID),
                ("EXISTS (SELECT 1 FROM json_each(i.tags) WHERE value = ?)", query.tag),
            ] {
                guard let value else { continue }
                clauses.append(clause)
                arguments += [value]
            }
            if let text = query.text {
                clauses.append("(i.title LIKE ? ESCAPE '\\' OR i.content LIKE ? ESCAPE '\\')")
                let pattern = StoreText.likePattern(text)
                arguments += [pattern, pattern]
            }
            let sortColumn = query.top ? "i.upvotes" : "i.created_at"
            if let cursor = page.cursor {
                clauses.append("(\(sortColumn), i.id) < (?, ?)")
                arguments += [cursor.key, cursor.id]
            }
            let rows = try Row.fetchAll(
                db,
                sql: "\(Self.insightSelect) WHERE \(clauses.joined(separator: " AND ")) ORDER BY \(sortColumn) DESC, i.id DESC LIMIT ?",
                arguments: arguments + [page.limit + 1]
            )
            let fetched = rows.map { row in (key: (row[query.top ? "upvotes" : "created_at"] as DatabaseValue), insight: Self.insight(from: row)) }
            return Page(fetched: fetched, limit: page.limit) { item in
                PageCursor(key: Self.sortKeyText(item.key), id: item.insight.id)
            }.map(\.insight)
        }
    }

    public func updateInsight(_ insight: Insight) async throws {
        try await self.write { db in
            try db.execute(
                sql: """
                    UPDATE shared_insights SET team_id = ?, session_id = ?, insight_type = ?, title = ?, content = ?, tags = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    insight.teamID, insight.sessionID, insight.insightType.rawValue, insight.title, insight.content, StoreText.json(insight.tags),
                    insight.updatedAt, insight.id,
                ]
            )
        }
    }

    public func deleteInsight(id: String) async throws {
        try await self.write { db in
            try db.execute(sql: "DELETE FROM shared_insights WHERE id = ?", arguments: [id])
        }
    }

    public func recordView(insightID: String) async throws {
        try await self.write { db in
            try db.execute(sql: "UPDATE shared_insights SET views = views + 1 WHERE id = ?", arguments: [insightID])
        }
    }

    public func setVote(insightID: String, userID: String, voted: Bool) async throws {
        try await self.write { db in
            if voted {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO insight_votes (insight_id, user_id, created_at) VALUES (?, ?, ?)",
                    arguments: [insightID, userID, WireFormat.now()]
                )
            } else {
                try db.execute(sql: "DELETE FROM insight_votes WHERE insight_id = ? AND user_id = ?", arguments: [insightID, userID])
            }
            // The count is derived from the votes in the same transaction, so it cannot drift.
            try db.execute(
                sql: "UPDATE shared_insights SET upvotes = (SELECT COUNT(*) FROM insight_votes WHERE insight_id = ?) WHERE id = ?",
                arguments: [insightID, insightID]
            )
        }
    }

    private static func insight(from row: Row) -> Insight {
        Insight(
            id: row["id"], authorID: row["author_id"], authorUsername: row["author_username"], teamID: row["team_id"],
            sessionID: row["session_id"], insightType: InsightType(rawValue: row["insight_type"]) ?? .learning, title: row["title"],
            content: row["content"], tags: StoreText.decodeStrings(row["tags"]), views: row["views"], upvotes: row["upvotes"],
            upvoted: row["upvoted"], createdAt: row["created_at"], updatedAt: row["updated_at"]
        )
    }
}
