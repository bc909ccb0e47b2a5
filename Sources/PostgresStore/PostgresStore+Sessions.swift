import Foundation
import Models
import PostgresNIO

extension PostgresStore {
    /// The session's columns plus the caller's relation to it, `user` being the caller's bound id.
    static func sessionColumns(for user: String) -> String {
        StoreSQL.sessionColumns(for: user, ownerOrder: "position")
    }

    static func relation(from row: PostgresRandomAccessRow) throws -> SessionRelation {
        SessionRelation(
            isOwner: try row.get("is_owner"),
            participantRole: try row.get("participant_role", as: String?.self).flatMap(SessionRole.init(rawValue:)),
            isTeamMember: try row.get("is_team_member"),
            visibility: SessionVisibility(rawValue: try row.get("visibility")) ?? .private
        )
    }

    static func session(from row: PostgresRandomAccessRow) throws -> CodingSession {
        CodingSession(
            id: try row.get("id"), ownerID: try row.get("owner_id", as: String?.self) ?? "", pid: try row.get("pid"), type: try row.get("type"),
            status: SessionStatus(rawValue: try row.get("status")) ?? .active, startTime: try row.date("start_time"),
            lastActivity: try row.date("last_activity"), workingDirectory: try row.get("working_directory"), tokenCount: try row.get("token_count"),
            tokenLimit: try row.get("token_limit"), healthScore: try row.get("health_score"), messageCount: try row.get("message_count"),
            fileCount: try row.get("file_count"), errorCount: try row.get("error_count"), tags: StoreText.decodeStrings(try row.get("tags")),
            projectName: try row.get("project_name"), description: try row.get("description"), teamID: try row.get("team_id"),
            visibility: SessionVisibility(rawValue: try row.get("visibility")) ?? .private, sharedAt: try row.optionalDate("shared_at"),
            hostname: try row.get("hostname"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }

    /// Binds the stored columns from `pid` to `hostname`, in the order of the INSERT and UPDATE statements.
    static func bindColumns(of session: CodingSession, into sql: SQLBuilder) -> [String] {
        [
            sql.bind(session.pid), sql.bind(session.type), sql.bind(session.status.rawValue), sql.bind(session.startTime),
            sql.bind(session.lastActivity), sql.bind(session.workingDirectory), sql.bind(session.tokenCount), sql.bind(session.tokenLimit),
            sql.bind(session.healthScore), sql.bind(session.messageCount), sql.bind(session.fileCount), sql.bind(session.errorCount),
            sql.bind(StoreText.json(session.tags)), sql.bind(session.projectName), sql.bind(session.description), sql.bind(session.teamID),
            sql.bind(session.visibility.rawValue), sql.bind(session.sharedAt), sql.bind(session.hostname),
        ]
    }

    private static let storedColumns = [
        "pid", "type", "status", "start_time", "last_activity", "working_directory", "token_count", "token_limit", "health_score",
        "message_count", "file_count", "error_count", "tags", "project_name", "description", "team_id", "visibility", "shared_at",
        "hostname",
    ]

    public func insertSession(_ session: CodingSession, snapshot: SessionSnapshot, maxOwned: Int) async throws -> Bool {
        try await self.write { transaction in
            // The owner's row lock serialises their creates across nodes, so the count below cannot be overtaken.
            guard try await transaction.row("SELECT 1 FROM users WHERE id = \(session.ownerID) FOR UPDATE") != nil else {
                throw DomainError.referenceDeleted
            }
            let owned: Int = try await transaction.row("SELECT COUNT(*) AS n FROM session_owners WHERE user_id = \(session.ownerID)")?.get("n") ?? 0
            guard owned < maxOwned else { return false }
            let sql = SQLBuilder()
            let values =
                [sql.bind(session.id)] + Self.bindColumns(of: session, into: sql) + [sql.bind(session.createdAt), sql.bind(session.updatedAt)]
            let columns = ["id"] + Self.storedColumns + ["created_at", "updated_at"]
            try await transaction.execute(
                sql.query("INSERT INTO sessions (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"))
            try await transaction.execute("INSERT INTO session_owners (session_id, user_id) VALUES (\(session.id), \(session.ownerID))")
            try await transaction.execute(
                """
                INSERT INTO session_participants (session_id, user_id, role, invited_by, joined_at)
                VALUES (\(session.id), \(session.ownerID), 'host', NULL, \(session.createdAt))
                """
            )
            try await Self.insert(snapshot, in: transaction)
            return true
        }
    }

    public func session(id: String, for userID: String) async throws -> (session: CodingSession, relation: SessionRelation)? {
        guard let row = try await self.row(Self.sessionQuery(id: id, for: userID, lock: false)) else { return nil }
        return try Self.sessionAndRelation(from: row)
    }

    private static func sessionQuery(id: String, for userID: String, lock: Bool) -> PostgresQuery {
        let sql = SQLBuilder()
        let user = sql.bind(userID)
        return sql.query("SELECT \(self.sessionColumns(for: user)) FROM sessions s WHERE s.id = \(sql.bind(id))\(lock ? " FOR UPDATE OF s" : "")")
    }

    private static func sessionAndRelation(from row: PostgresRandomAccessRow) throws -> (session: CodingSession, relation: SessionRelation) {
        let relation = try self.relation(from: row)
        var session = try self.session(from: row)
        session.role = relation.role
        return (session, relation)
    }

    public func sessions(visibleTo userID: String, matching query: SessionQuery, page: PageRequest) async throws -> Page<CodingSession> {
        // One row more than the page tells whether there is a next one.
        let rows = try await self.rows(PostgresSessionList.query(userID: userID, query: query, cursor: page.cursor, limit: page.limit + 1))
        let sessions = try rows.map { row in
            var session = try Self.session(from: row)
            session.role = try Self.relation(from: row).role
            return (session, try row.get("sort_key", as: String?.self))
        }
        return Page(fetched: sessions, limit: page.limit) { PageCursor(key: $0.1, id: $0.0.id) }.map(\.0)
    }

    public func updateSession(
        id: String, for userID: String, revise: @escaping @Sendable (CodingSession) throws -> SessionRevision?
    ) async throws -> (session: CodingSession, event: SessionEvent?) {
        try await self.write { transaction in
            // Locked: a concurrent update on another node waits and then revises what this one stored.
            guard let row = try await transaction.row(Self.sessionQuery(id: id, for: userID, lock: true)) else {
                throw DomainError.notFound("Session not found")
            }
            let current = try Self.sessionAndRelation(from: row).session
            guard let revision = try revise(current) else { return (current, nil) }
            let session = revision.session
            let sql = SQLBuilder()
            let values = Self.bindColumns(of: session, into: sql)
            let assignments = zip(Self.storedColumns, values).map { "\($0) = \($1)" }.joined(separator: ", ")
            try await transaction.execute(
                sql.query("UPDATE sessions SET \(assignments), updated_at = \(sql.bind(session.updatedAt)) WHERE id = \(sql.bind(session.id))"))
            if let snapshot = revision.snapshot { try await Self.insert(snapshot, in: transaction) }
            return (session, try await Self.append(revision.event, at: session.updatedAt, in: transaction))
        }
    }

    public func deleteSession(id: String) async throws {
        try await self.write { transaction in
            try await transaction.execute("DELETE FROM sessions WHERE id = \(id)")
        }
    }

    public func history(sessionID: String, page: PageRequest) async throws -> Page<SessionSnapshot> {
        let after = Int64(page.cursor?.id ?? "") ?? 0
        let rows = try await self.rows(
            "SELECT * FROM session_history WHERE session_id = \(sessionID) AND id > \(after) ORDER BY id LIMIT \(page.limit + 1)")
        return Page(fetched: try rows.map(Self.snapshot(from:)), limit: page.limit) { PageCursor(key: nil, id: String($0.id)) }
    }

    static func insert(_ snapshot: SessionSnapshot, in transaction: PostgresTransaction) async throws {
        try await transaction.execute(
            """
            INSERT INTO session_history (session_id, recorded_at, status, token_count, health_score, message_count, file_count, error_count)
            VALUES (\(snapshot.sessionID), \(snapshot.recordedAt), \(snapshot.status.rawValue), \(snapshot.tokenCount), \(snapshot.healthScore),
                \(snapshot.messageCount), \(snapshot.fileCount), \(snapshot.errorCount))
            """
        )
    }

    static func snapshot(from row: PostgresRandomAccessRow) throws -> SessionSnapshot {
        SessionSnapshot(
            id: try row.get("id"), sessionID: try row.get("session_id"), recordedAt: try row.date("recorded_at"),
            status: SessionStatus(rawValue: try row.get("status")) ?? .active, tokenCount: try row.get("token_count"),
            healthScore: try row.get("health_score"), messageCount: try row.get("message_count"), fileCount: try row.get("file_count"),
            errorCount: try row.get("error_count")
        )
    }
}

/// A session listing as SQL, built as `SessionListSQL` builds it for SQLite: each way a caller may see a session is its
/// own branch reading at most `limit` rows after the cursor, and the page is the best `limit` of their union.
enum PostgresSessionList {
    static func query(userID: String, query: SessionQuery, cursor: PageCursor?, limit: Int) -> PostgresQuery {
        let sql = SQLBuilder()
        let user = sql.bind(userID)
        let limitParameter = sql.bind(limit)
        var clauses: [String] = []
        if let status = query.status { clauses.append("s.status = \(sql.bind(status.rawValue))") }
        if let type = query.type { clauses.append("s.type = \(sql.bind(type))") }
        if let teamID = query.teamID { clauses.append("s.team_id = \(sql.bind(teamID))") }
        if let visibility = query.visibility { clauses.append("s.visibility = \(sql.bind(visibility.rawValue))") }
        if let tag = query.tag { clauses.append("s.tags::jsonb ? \(sql.bind(tag))") }
        if query.ownedByCaller { clauses.append("s.id IN (SELECT session_id FROM session_owners WHERE user_id = \(user))") }
        if let text = query.text {
            // ILIKE: SQLite's LIKE ignores case.
            let pattern = sql.bind(StoreText.likePattern(text))
            clauses.append("(s.project_name ILIKE \(pattern) ESCAPE '\\' OR s.description ILIKE \(pattern) ESCAPE '\\')")
        }
        let sort = "s.\(query.sort.rawValue)"
        if let cursor {
            let type = query.sort == .tokenCount ? "bigint" : "timestamptz"
            clauses.append("(\(sort), s.id) \(query.descending ? "<" : ">") (\(sql.bind(cursor.key))::\(type), \(sql.bind(cursor.id)))")
        }
        let reaches = [
            "s.id IN (SELECT session_id FROM session_owners WHERE user_id = \(user))",
            "s.id IN (SELECT session_id FROM session_participants WHERE user_id = \(user))",
            "s.visibility = 'public'",
            "s.visibility = 'team' AND s.team_id IN (SELECT team_id FROM team_members WHERE user_id = \(user))",
        ]
        let order = query.descending ? "DESC" : "ASC"
        let orderBy = "\(sort) \(order), s.id \(order)"
        let branches = reaches.map { reach in
            "(SELECT s.id FROM sessions s WHERE \(([reach] + clauses).joined(separator: " AND ")) ORDER BY \(orderBy) LIMIT \(limitParameter))"
        }
        return sql.query(
            """
            SELECT \(PostgresStore.sessionColumns(for: user)), \(sort)::text AS sort_key FROM sessions s
            WHERE s.id IN (\(branches.joined(separator: " UNION ALL ")))
            ORDER BY \(orderBy) LIMIT \(limitParameter)
            """
        )
    }
}
