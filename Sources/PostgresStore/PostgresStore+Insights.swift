import Foundation
import Models
import PostgresNIO

extension PostgresStore {
    private static func insightSelect(caller: String, extraColumns: String = "") -> String {
        """
        SELECT i.*, u.username AS author_username,\(extraColumns)
            EXISTS (SELECT 1 FROM insight_votes v WHERE v.insight_id = i.id AND v.user_id = \(caller)) AS upvoted
        FROM shared_insights i LEFT JOIN users u ON u.id = i.author_id
        """
    }

    private static func visibleInsight(caller: String) -> String {
        "(i.team_id IS NULL OR i.team_id IN (SELECT team_id FROM team_members WHERE user_id = \(caller)))"
    }

    public func insertInsight(_ insight: Insight) async throws {
        try await self.write { transaction in
            try await transaction.execute(
                """
                INSERT INTO shared_insights (id, author_id, team_id, session_id, insight_type, title, content, tags, views, upvotes,
                    created_at, updated_at)
                VALUES (\(insight.id), \(insight.authorID), \(insight.teamID), \(insight.sessionID), \(insight.insightType.rawValue),
                    \(insight.title), \(insight.content), \(StoreText.json(insight.tags)), 0, 0, \(insight.createdAt), \(insight.updatedAt))
                """
            )
        }
    }

    public func insight(id: String, for userID: String) async throws -> Insight? {
        let sql = SQLBuilder()
        let caller = sql.bind(userID)
        return try await self.row(
            sql.query("\(Self.insightSelect(caller: caller)) WHERE i.id = \(sql.bind(id)) AND \(Self.visibleInsight(caller: caller))")
        ).map(Self.insight(from:))
    }

    public func insights(visibleTo userID: String, matching query: InsightQuery, page: PageRequest) async throws -> Page<Insight> {
        let sql = SQLBuilder()
        let caller = sql.bind(userID)
        var clauses = [Self.visibleInsight(caller: caller)]
        if let teamID = query.teamID { clauses.append("i.team_id = \(sql.bind(teamID))") }
        if let type = query.insightType { clauses.append("i.insight_type = \(sql.bind(type.rawValue))") }
        if let sessionID = query.sessionID { clauses.append("i.session_id = \(sql.bind(sessionID))") }
        if let tag = query.tag { clauses.append("i.tags::jsonb ? \(sql.bind(tag))") }
        if let text = query.text {
            let pattern = sql.bind(StoreText.likePattern(text))
            clauses.append("(i.title ILIKE \(pattern) ESCAPE '\\' OR i.content ILIKE \(pattern) ESCAPE '\\')")
        }
        let sortColumn = query.top ? "i.upvotes" : "i.created_at"
        if let cursor = page.cursor {
            let type = query.top ? "bigint" : "timestamptz"
            clauses.append("(\(sortColumn), i.id) < (\(sql.bind(cursor.key))::\(type), \(sql.bind(cursor.id)))")
        }
        let rows = try await self.rows(
            sql.query(
                """
                \(Self.insightSelect(caller: caller, extraColumns: " \(sortColumn)::text AS sort_key,")) WHERE \(clauses.joined(separator: " AND "))
                ORDER BY \(sortColumn) DESC, i.id DESC LIMIT \(sql.bind(page.limit + 1))
                """
            )
        )
        let fetched = try rows.map { row in (key: try row.get("sort_key", as: String.self), insight: try Self.insight(from: row)) }
        return Page(fetched: fetched, limit: page.limit) { PageCursor(key: $0.key, id: $0.insight.id) }.map(\.insight)
    }

    public func updateInsight(_ insight: Insight) async throws {
        try await self.write { transaction in
            try await transaction.execute(
                """
                UPDATE shared_insights SET team_id = \(insight.teamID), session_id = \(insight.sessionID),
                    insight_type = \(insight.insightType.rawValue), title = \(insight.title), content = \(insight.content),
                    tags = \(StoreText.json(insight.tags)), updated_at = \(insight.updatedAt)
                WHERE id = \(insight.id)
                """
            )
        }
    }

    public func deleteInsight(id: String) async throws {
        try await self.write { transaction in
            try await transaction.execute("DELETE FROM shared_insights WHERE id = \(id)")
        }
    }

    public func recordView(insightID: String) async throws {
        try await self.write { transaction in
            try await transaction.execute("UPDATE shared_insights SET views = views + 1 WHERE id = \(insightID)")
        }
    }

    public func setVote(insightID: String, userID: String, voted: Bool) async throws {
        try await self.write { transaction in
            if voted {
                try await transaction.execute(
                    """
                    INSERT INTO insight_votes (insight_id, user_id, created_at) VALUES (\(insightID), \(userID), \(WireFormat.now()))
                    ON CONFLICT DO NOTHING
                    """
                )
            } else {
                try await transaction.execute("DELETE FROM insight_votes WHERE insight_id = \(insightID) AND user_id = \(userID)")
            }
            // The count is derived from the votes in the same transaction, so it cannot drift.
            try await transaction.execute(
                "UPDATE shared_insights SET upvotes = (SELECT COUNT(*) FROM insight_votes WHERE insight_id = \(insightID)) WHERE id = \(insightID)")
        }
    }

    private static func insight(from row: PostgresRandomAccessRow) throws -> Insight {
        Insight(
            id: try row.get("id"), authorID: try row.get("author_id"), authorUsername: try row.get("author_username"),
            teamID: try row.get("team_id"), sessionID: try row.get("session_id"),
            insightType: InsightType(rawValue: try row.get("insight_type")) ?? .learning, title: try row.get("title"),
            content: try row.get("content"), tags: StoreText.decodeStrings(try row.get("tags")), views: try row.get("views"),
            upvotes: try row.get("upvotes"), upvoted: try row.get("upvoted"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at")
        )
    }
}
