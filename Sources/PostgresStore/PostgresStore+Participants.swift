import Foundation
import Models
import PostgresNIO

extension PostgresStore {
    private static let participantSelect = """
        SELECT p.*, u.username FROM session_participants p JOIN users u ON u.id = p.user_id
        """

    public func participants(sessionID: String, page: PageRequest) async throws -> Page<Participant> {
        let after = Int64(page.cursor?.id ?? "") ?? 0
        let rows = try await self.rows(
            "\(unescaped: Self.participantSelect) WHERE p.session_id = \(sessionID) AND p.position > \(after) ORDER BY p.position LIMIT \(page.limit + 1)"
        )
        let positioned = try rows.map { (position: try $0.get("position", as: Int64.self), participant: try Self.participant(from: $0)) }
        return Page(fetched: positioned, limit: page.limit) { PageCursor(key: nil, id: String($0.position)) }.map(\.participant)
    }

    public func participant(sessionID: String, userID: String) async throws -> Participant? {
        try await self.row(Self.participantQuery(sessionID: sessionID, userID: userID)).map(Self.participant(from:))
    }

    public func insertParticipant(
        sessionID: String, userID: String, role: SessionRole, invitedBy: String, event: NewSessionEvent
    )
        async throws -> (Participant, SessionEvent)
    {
        let now = WireFormat.now()
        do {
            return try await self.write { transaction in
                try await transaction.execute(
                    """
                    INSERT INTO session_participants (session_id, user_id, role, invited_by, joined_at)
                    VALUES (\(sessionID), \(userID), \(role.rawValue), \(invitedBy), \(now))
                    """
                )
                let stored = try await Self.append(event, at: now, in: transaction)
                guard let participant = try await transaction.row(Self.participantQuery(sessionID: sessionID, userID: userID)) else {
                    throw DomainError.notFound("No such participant")
                }
                return (try Self.participant(from: participant), stored)
            }
        } catch  where PostgresFailure.sqlState(of: error) == "23505" {
            throw DomainError.conflict("That user already takes part in this session")
        }
    }

    public func updateParticipantRole(
        sessionID: String, userID: String, role: SessionRole, event: NewSessionEvent
    ) async throws
        -> SessionEvent
    {
        try await self.write { transaction in
            try await transaction.execute(
                "UPDATE session_participants SET role = \(role.rawValue) WHERE session_id = \(sessionID) AND user_id = \(userID)")
            return try await Self.append(event, at: WireFormat.now(), in: transaction)
        }
    }

    public func deleteParticipant(sessionID: String, userID: String, event: NewSessionEvent) async throws -> SessionEvent {
        try await self.write { transaction in
            try await transaction.execute("DELETE FROM session_participants WHERE session_id = \(sessionID) AND user_id = \(userID)")
            return try await Self.append(event, at: WireFormat.now(), in: transaction)
        }
    }

    public func recordPresence(sessionID: String, userID: String, isActive: Bool, event: NewSessionEvent) async throws -> SessionEvent? {
        try await self.write { transaction in
            let now = WireFormat.now()
            let leftAt: Date? = isActive ? nil : now
            // Only an existing record changes: connecting never grants or stores a role.
            let changed = try await transaction.changedRows(
                """
                UPDATE session_participants SET is_active = \(isActive), last_seen = \(now), left_at = \(leftAt)
                WHERE session_id = \(sessionID) AND user_id = \(userID) RETURNING 1
                """
            )
            // A passer-by (anyone, on a public session) is announced live only: a reconnect loop must not fill the log.
            guard changed > 0 else { return nil }
            return try await Self.append(event, at: now, in: transaction)
        }
    }

    public func userID(matching reference: UserReference) async throws -> String? {
        let query: PostgresQuery =
            switch reference {
            case .id(let id): "SELECT id FROM users WHERE id = \(id) AND is_active"
            case .username(let username): "SELECT id FROM users WHERE lower(username) = lower(\(username)) AND is_active"
            case .email(let email): "SELECT id FROM users WHERE lower(email) = lower(\(email)) AND is_active"
            }
        return try await self.row(query)?.get("id")
    }

    private static func participantQuery(sessionID: String, userID: String) -> PostgresQuery {
        "\(unescaped: self.participantSelect) WHERE p.session_id = \(sessionID) AND p.user_id = \(userID)"
    }

    private static func participant(from row: PostgresRandomAccessRow) throws -> Participant {
        Participant(
            userID: try row.get("user_id"),
            username: try row.get("username"),
            role: SessionRole(rawValue: try row.get("role")) ?? .viewer,
            invitedBy: try row.get("invited_by"),
            joinedAt: try row.date("joined_at"),
            leftAt: try row.optionalDate("left_at"),
            lastSeen: try row.optionalDate("last_seen"),
            isActive: try row.get("is_active")
        )
    }
}
