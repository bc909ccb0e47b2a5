import Foundation
import GRDB

extension SQLiteStore {
    public func insertSession(_ session: CodingSession, snapshot: SessionSnapshot, maxOwned: Int) async throws -> Bool {
        try await self.write { db in
            let owned = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM session_owners WHERE user_id = ?", arguments: [session.ownerID]) ?? 0
            guard owned < maxOwned else { return false }
            try db.execute(
                sql: """
                    INSERT INTO sessions (id, pid, type, status, start_time, last_activity, working_directory, token_count,
                        token_limit, health_score, message_count, file_count, error_count, tags, project_name, description,
                        team_id, visibility, shared_at, hostname, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: StatementArguments(Self.columns(of: session) + [session.createdAt, session.updatedAt])
            )
            try db.execute(
                sql: "INSERT INTO session_owners (session_id, user_id) VALUES (?, ?)",
                arguments: [session.id, session.ownerID]
            )
            try db.execute(
                sql: """
                    INSERT INTO session_participants (session_id, user_id, role, invited_by, joined_at)
                    VALUES (?, ?, 'host', NULL, ?)
                    """,
                arguments: [session.id, session.ownerID, session.createdAt]
            )
            try Self.insert(snapshot, in: db)
            return true
        }
    }

    public func session(id: String, for userID: String) async throws -> (session: CodingSession, relation: SessionRelation)? {
        try await self.database.read { db in try Self.session(id: id, for: userID, in: db) }
    }

    private static func session(id: String, for userID: String, in db: Database) throws -> (session: CodingSession, relation: SessionRelation)? {
        let sql = "SELECT \(Self.sessionColumns(for: "?")) FROM sessions s WHERE s.id = ?"
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [userID, userID, userID, id]) else { return nil }
        let relation = try Self.relation(from: row)
        var session = try Self.session(from: row)
        session.role = relation.role
        return (session, relation)
    }

    public func sessions(visibleTo userID: String, matching query: SessionQuery, page: PageRequest) async throws -> Page<CodingSession> {
        try await self.database.read { db in
            let listing = SessionListSQL(userID: userID, query: query, cursor: page.cursor)
            // One row more than the page tells whether there is a next one.
            let (sql, arguments) = listing.page(columns: Self.sessionColumns(for: "?"), limit: page.limit + 1)
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let sessions = try rows.map { row in
                var session = try Self.session(from: row)
                session.role = try Self.relation(from: row).role
                return (session, Self.sortKeyText(row["sort_key"]))
            }
            return Page(fetched: sessions, limit: page.limit) { PageCursor(key: $0.1, id: $0.0.id) }.map(\.0)
        }
    }

    public func updateSession(
        id: String, for userID: String, revise: @escaping @Sendable (CodingSession) throws -> SessionRevision?
    ) async throws -> (session: CodingSession, event: SessionEvent?) {
        try await self.write { db in
            guard let current = try Self.session(id: id, for: userID, in: db)?.session else { throw DomainError.notFound("Session not found") }
            guard let revision = try revise(current) else { return (current, nil) }
            let session = revision.session
            try db.execute(
                sql: """
                    UPDATE sessions SET pid = ?, type = ?, status = ?, start_time = ?, last_activity = ?, working_directory = ?,
                        token_count = ?, token_limit = ?, health_score = ?, message_count = ?, file_count = ?, error_count = ?,
                        tags = ?, project_name = ?, description = ?, team_id = ?, visibility = ?, shared_at = ?, hostname = ?,
                        updated_at = ?
                    WHERE id = ?
                    """,
                arguments: StatementArguments(Array(Self.columns(of: session).dropFirst())) + [session.updatedAt, session.id]
            )
            if let snapshot = revision.snapshot { try Self.insert(snapshot, in: db) }
            return (session, try self.append(revision.event, at: session.updatedAt, in: db))
        }
    }

    public func deleteSession(id: String) async throws {
        try await self.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE id = ?", arguments: [id])
        }
    }

    public func history(sessionID: String, page: PageRequest) async throws -> Page<SessionSnapshot> {
        try await self.database.read { db in
            let after = Int64(page.cursor?.id ?? "") ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM session_history WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [sessionID, after, page.limit + 1]
            )
            let snapshots = try rows.map(Self.snapshot(from:))
            return Page(fetched: snapshots, limit: page.limit) { PageCursor(key: nil, id: String($0.id)) }
        }
    }

    private static func insert(_ snapshot: SessionSnapshot, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO session_history (session_id, recorded_at, status, token_count, health_score, message_count, file_count, error_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                snapshot.sessionID, snapshot.recordedAt, snapshot.status.rawValue, snapshot.tokenCount, snapshot.healthScore,
                snapshot.messageCount, snapshot.fileCount, snapshot.errorCount,
            ]
        )
    }

    static func snapshot(from row: Row) throws -> SessionSnapshot {
        SessionSnapshot(
            id: row["id"], sessionID: row["session_id"], recordedAt: row["recorded_at"],
            status: SessionStatus(rawValue: row["status"]) ?? .active, tokenCount: row["token_count"], healthScore: row["health_score"],
            messageCount: row["message_count"], fileCount: row["file_count"], errorCount: row["error_count"]
        )
    }

    /// Keyset cursors carry the sort value as text; numbers and timestamps compare correctly when bound back as such.
    static func sortKeyText(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .int64(let number): String(number)
        case .double(let number): String(number)
        case .string(let text): text
        default: nil
        }
    }
}
