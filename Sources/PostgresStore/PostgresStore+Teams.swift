import Foundation
import Models
import PostgresNIO

extension PostgresStore {
    private static func teamSelect(caller: String) -> String {
        """
        SELECT t.*, (SELECT COUNT(*) FROM team_members c WHERE c.team_id = t.id) AS member_count,
            (SELECT role FROM team_members m WHERE m.team_id = t.id AND m.user_id = \(caller)) AS caller_role
        FROM teams t
        """
    }

    public func insertTeam(_ team: Team, creatorID: String) async throws {
        try await Self.mapNameConflict {
            try await self.write { transaction in
                try await transaction.execute(
                    """
                    INSERT INTO teams (id, name, description, created_by, created_at, updated_at)
                    VALUES (\(team.id), \(team.name), \(team.description), \(creatorID), \(team.createdAt), \(team.updatedAt))
                    """
                )
                try await transaction.execute(
                    "INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (\(team.id), \(creatorID), 'admin', \(team.createdAt))")
            }
        }
    }

    public func teamRole(userID: String, teamID: String) async throws -> TeamRole? {
        let role = try await self.row("SELECT role FROM team_members WHERE team_id = \(teamID) AND user_id = \(userID)")?.get("role", as: String.self)
        return role.flatMap(TeamRole.init(rawValue:))
    }

    public func team(id: String, for userID: String) async throws -> Team? {
        let sql = SQLBuilder()
        let caller = sql.bind(userID)
        return try await self.row(sql.query("\(Self.teamSelect(caller: caller)) WHERE t.id = \(sql.bind(id))")).map(Self.team(from:))
    }

    public func teams(of userID: String, page: PageRequest) async throws -> Page<Team> {
        let sql = SQLBuilder()
        let caller = sql.bind(userID)
        let rows = try await self.rows(
            sql.query(
                """
                \(Self.teamSelect(caller: caller)) WHERE t.id IN (SELECT team_id FROM team_members WHERE user_id = \(caller))
                    AND t.id > \(sql.bind(page.cursor?.id ?? "")) ORDER BY t.id LIMIT \(sql.bind(page.limit + 1))
                """
            )
        )
        return Page(fetched: try rows.map(Self.team(from:)), limit: page.limit) { PageCursor(key: nil, id: $0.id) }
    }

    public func updateTeam(_ team: Team) async throws {
        try await Self.mapNameConflict {
            try await self.write { transaction in
                try await transaction.execute(
                    "UPDATE teams SET name = \(team.name), description = \(team.description), updated_at = \(team.updatedAt) WHERE id = \(team.id)")
            }
        }
    }

    public func deleteTeam(id: String) async throws -> [String] {
        try await self.write { transaction in
            let shared = try await transaction.rows("SELECT id FROM sessions WHERE team_id = \(id)").map { try $0.get("id", as: String.self) }
            try await transaction.execute("DELETE FROM teams WHERE id = \(id)")
            return shared
        }
    }

    public func members(teamID: String, page: PageRequest) async throws -> Page<TeamMember> {
        let rows = try await self.rows(
            """
            SELECT m.*, u.username FROM team_members m JOIN users u ON u.id = m.user_id
            WHERE m.team_id = \(teamID) AND m.user_id > \(page.cursor?.id ?? "") ORDER BY m.user_id LIMIT \(page.limit + 1)
            """
        )
        return Page(fetched: try rows.map(Self.member(from:)), limit: page.limit) { PageCursor(key: nil, id: $0.userID) }
    }

    public func insertMember(teamID: String, userID: String, role: TeamRole, maxSize: Int) async throws -> TeamMember {
        try await self.write { transaction in
            // The team's row lock serialises adding members across nodes, so two cannot both take the last place.
            guard try await transaction.row("SELECT 1 FROM teams WHERE id = \(teamID) FOR UPDATE") != nil else {
                throw DomainError.referenceDeleted
            }
            let size: Int = try await transaction.row("SELECT COUNT(*) AS n FROM team_members WHERE team_id = \(teamID)")?.get("n") ?? 0
            guard size < maxSize else { throw DomainError.conflict("The team has \(maxSize) members, the most allowed") }
            let inserted = try await transaction.changedRows(
                """
                INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (\(teamID), \(userID), \(role.rawValue), \(WireFormat.now()))
                ON CONFLICT DO NOTHING RETURNING 1
                """
            )
            guard inserted > 0 else { throw DomainError.conflict("That user is already a member") }
            return try await Self.member(teamID: teamID, userID: userID, in: transaction)
        }
    }

    public func updateMemberRole(teamID: String, userID: String, role: TeamRole) async throws -> TeamMember {
        try await self.write { transaction in
            try await Self.lockTeam(teamID, in: transaction)
            _ = try await Self.member(teamID: teamID, userID: userID, in: transaction)
            try await transaction.execute(
                "UPDATE team_members SET role = \(role.rawValue) WHERE team_id = \(teamID) AND user_id = \(userID)")
            try await Self.requireAnAdmin(teamID: teamID, in: transaction)
            return try await Self.member(teamID: teamID, userID: userID, in: transaction)
        }
    }

    public func deleteMember(teamID: String, userID: String) async throws {
        try await self.write { transaction in
            try await Self.lockTeam(teamID, in: transaction)
            _ = try await Self.member(teamID: teamID, userID: userID, in: transaction)
            try await transaction.execute("DELETE FROM team_members WHERE team_id = \(teamID) AND user_id = \(userID)")
            try await Self.requireAnAdmin(teamID: teamID, in: transaction)
        }
    }

    /// Two admins demoting each other on two nodes would each still see the other as admin; the team's lock orders them.
    private static func lockTeam(_ teamID: String, in transaction: PostgresTransaction) async throws {
        try await transaction.execute("SELECT 1 FROM teams WHERE id = \(teamID) FOR UPDATE")
    }

    /// Throwing here rolls the enclosing write back, so the team never commits without an admin.
    private static func requireAnAdmin(teamID: String, in transaction: PostgresTransaction) async throws {
        let admins: Int =
            try await transaction.row("SELECT COUNT(*) AS n FROM team_members WHERE team_id = \(teamID) AND role = 'admin'")?.get("n") ?? 0
        guard admins > 0 else { throw DomainError.conflict("A team keeps at least one admin; make someone else admin first") }
    }

    private static func member(teamID: String, userID: String, in transaction: PostgresTransaction) async throws -> TeamMember {
        guard
            let row = try await transaction.row(
                "SELECT m.*, u.username FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = \(teamID) AND m.user_id = \(userID)")
        else { throw DomainError.notFound("No such member") }
        return try self.member(from: row)
    }

    private static func member(from row: PostgresRandomAccessRow) throws -> TeamMember {
        TeamMember(
            userID: try row.get("user_id"), username: try row.get("username"), role: TeamRole(rawValue: try row.get("role")) ?? .viewer,
            joinedAt: try row.date("joined_at"))
    }

    private static func team(from row: PostgresRandomAccessRow) throws -> Team {
        Team(
            id: try row.get("id"), name: try row.get("name"), description: try row.get("description"), createdBy: try row.get("created_by"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), memberCount: try row.get("member_count"),
            role: try row.get("caller_role", as: String?.self).flatMap(TeamRole.init(rawValue:))
        )
    }

    private static func mapNameConflict(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch  where PostgresFailure.sqlState(of: error) == "23505" {
            throw DomainError.conflict("A team with that name exists")
        }
    }
}
