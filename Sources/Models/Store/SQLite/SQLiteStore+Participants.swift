import Foundation
import GRDB

extension SQLiteStore {
    private static let participantSelect = """
        SELECT p.rowid AS position, p.*, u.username FROM session_participants p JOIN users u ON u.id = p.user_id
        """

    public func participants(sessionID: String, page: PageRequest) async throws -> Page<Participant> {
        try await self.database.read { db in
            let after = Int64(page.cursor?.id ?? "") ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "\(Self.participantSelect) WHERE p.session_id = ? AND p.rowid > ? ORDER BY p.rowid LIMIT ?",
                arguments: [sessionID, after, page.limit + 1]
            )
            let positioned = rows.map { (position: $0["position"] as Int64, participant: Self.participant(from: $0)) }
            return Page(fetched: positioned, limit: page.limit) { PageCursor(key: nil, id: String($0.position)) }.map(\.participant)
        }
    }

    public func participant(sessionID: String, userID: String) async throws -> Participant? {
        try await self.database.read { db in
            try Self.participant(sessionID: sessionID, userID: userID, in: db)
        }
    }

    public func insertParticipant(
        sessionID: String, userID: String, role: SessionRole, invitedBy: String, event: NewSessionEvent
    )
        async throws -> (Participant, SessionEvent)
    {
        let now = WireFormat.now()
        do {
            return try await self.write { db in
                try db.execute(
                    sql: "INSERT INTO session_participants (session_id, user_id, role, invited_by, joined_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [sessionID, userID, role.rawValue, invitedBy, now]
                )
                let stored = try self.append(event, at: now, in: db)
                guard let participant = try Self.participant(sessionID: sessionID, userID: userID, in: db) else {
                    throw DomainError.notFound("No such participant")
                }
                return (participant, stored)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw DomainError.conflict("That user already takes part in this session")
        }
    }

    public func updateParticipantRole(
        sessionID: String, userID: String, role: SessionRole, event: NewSessionEvent
    ) async throws
        -> SessionEvent
    {
        try await self.write { db in
            try db.execute(
                sql: "UPDATE session_participants SET role = ? WHERE session_id = ? AND user_id = ?",
                arguments: [role.rawValue, sessionID, userID]
            )
            return try self.append(event, at: WireFormat.now(), in: db)
        }
    }

    public func deleteParticipant(sessionID: String, userID: String, event: NewSessionEvent) async throws -> SessionEvent {
        try await self.write { db in
            try db.execute(sql: "DELETE FROM session_participants WHERE session_id = ? AND user_id = ?", arguments: [sessionID, userID])
            return try self.append(event, at: WireFormat.now(), in: db)
        }
    }

    public func recordPresence(sessionID: String, userID: String, isActive: Bool, event: NewSessionEvent) async throws -> SessionEvent? {
        try await self.write { db in
            let now = WireFormat.now()
            // Only an existing record changes: connecting never grants or stores a role.
            try db.execute(
                sql: """
                    UPDATE session_participants SET is_active = ?, last_seen = ?, left_at = CASE WHEN ? THEN NULL ELSE ? END
                    WHERE session_id = ? AND user_id = ?
                    """,
                arguments: [isActive, now, isActive, now, sessionID, userID]
            )
            // A passer-by (anyone, on a public session) is announced live only: a reconnect loop must not fill the log.
            guard db.changesCount > 0 else { return nil }
            return try self.append(event, at: now, in: db)
        }
    }

    public func userID(matching reference: UserReference) async throws -> String? {
        try await self.database.read { db in
            let (column, value) =
                switch reference {
                case .id(let id): ("id", id)
                case .username(let username): ("username", username)
                case .email(let email): ("email", email)
                }
            return try String.fetchOne(db, sql: "SELECT id FROM users WHERE \(column) = ? AND is_active = 1", arguments: [value])
        }
    }

    private static func participant(sessionID: String, userID: String, in db: Database) throws -> Participant? {
        try Row.fetchOne(db, sql: "\(self.participantSelect) WHERE p.session_id = ? AND p.user_id = ?", arguments: [sessionID, userID])
            .map(self.participant(from:))
    }

    private static func participant(from row: Row) -> Participant {
        Participant(
            userID: row["user_id"],
            username: row["username"],
            role: SessionRole(rawValue: row["role"]) ?? .viewer,
            invitedBy: row["invited_by"],
            joinedAt: row["joined_at"],
            leftAt: row["left_at"],
            lastSeen: row["last_seen"],
            isActive: row["is_active"]
        )
    }
}
