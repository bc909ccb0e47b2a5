import Foundation
import GRDB

extension SQLiteStore {
    private static let teamSelect = """
        SELECT t.*, (SELECT COUNT(*) FROM team_members c WHERE c.team_id = t.id) AS member_count,
            (SELECT role FROM team_members m WHERE m.team_id = t.id AND m.user_id = ?) AS caller_role
        FROM teams t
        """

    public func insertTeam(_ team: Team, creatorID: String) async throws {
        try await Self.mapNameConflict {
            try await self.write { db in
                try db.execute(
                    sql: "INSERT INTO teams (id, name, description, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [team.id, team.name, team.description, creatorID, team.createdAt, team.updatedAt]
                )
                try db.execute(
                    sql: "INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?, ?, 'admin', ?)",
                    arguments: [team.id, creatorID, team.createdAt]
                )
            }
        }
    }

    public func teamRole(userID: String, teamID: String) async throws -> TeamRole? {
        try await self.database.read { db in
            try String.fetchOne(db, sql: "SELECT role FROM team_members WHERE team_id = ? AND user_id = ?", arguments: [teamID, userID])
                .flatMap(TeamRole.init(rawValue:))
        }
    }

    public func team(id: String, for userID: String) async throws -> Team? {
        try await self.database.read { db in
            try Row.fetchOne(db, sql: "\(Self.teamSelect) WHERE t.id = ?", arguments: [userID, id]).map(Self.team(from:))
        }
    }

    public func teams(of userID: String, page: PageRequest) async throws -> Page<Team> {
        try await self.database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    \(Self.teamSelect) WHERE t.id IN (SELECT team_id FROM team_members WHERE user_id = ?) AND t.id > ?
                    ORDER BY t.id LIMIT ?
                    """,
                arguments: [userID, userID, page.cursor?.id ?? "", page.limit + 1]
            )
            return Page(fetched: rows.map(Self.team(from:)), limit: page.limit) { PageCursor(key: nil, id: $0.id) }
        }
    }

    public func updateTeam(_ team: Team) async throws {
        try await Self.mapNameConflict {
            try await self.write { db in
                try db.execute(
                    sql: "UPDATE teams SET name = ?, description = ?, updated_at = ? WHERE id = ?",
                    arguments: [team.name, team.description, team.updatedAt, team.id]
                )
            }
        }
    }

    public func deleteTeam(id: String) async throws -> [String] {
        try await self.write { db in
            let shared = try String.fetchAll(db, sql: "SELECT id FROM sessions WHERE team_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM teams WHERE id = ?", arguments: [id])
            return shared
        }
    }

    public func members(teamID: String, page: PageRequest) async throws -> Page<TeamMember> {
        try await self.database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.*, u.username FROM team_members m JOIN users u ON u.id = m.user_id
                    WHERE m.team_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?
                    """,
                arguments: [teamID, page.cursor?.id ?? "", page.limit + 1]
            )
            return Page(fetched: rows.map(Self.member(from:)), limit: page.limit) { PageCursor(key: nil, id: $0.userID) }
        }
    }

    public func insertMember(teamID: String, userID: String, role: TeamRole, maxSize: Int) async throws -> TeamMember {
        try await self.write { db in
            let size = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM team_members WHERE team_id = ?", arguments: [teamID]) ?? 0
            guard size < maxSize else { throw DomainError.conflict("The team has \(maxSize) members, the most allowed") }
            do {
                try db.execute(
                    sql: "INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
                    arguments: [teamID, userID, role.rawValue, WireFormat.now()]
                )
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                throw DomainError.conflict("That user is already a member")
            }
            return try Self.member(teamID: teamID, userID: userID, in: db)
        }
    }

    public func updateMemberRole(teamID: String, userID: String, role: TeamRole) async throws -> TeamMember {
        try await self.write { db in
            _ = try Self.member(teamID: teamID, userID: userID, in: db)
            try db.execute(
                sql: "UPDATE team_members SET role = ? WHERE team_id = ? AND user_id = ?",
                arguments: [role.rawValue, teamID, userID]
            )
            try Self.requireAnAdmin(teamID: teamID, in: db)
            return try Self.member(teamID: teamID, userID: userID, in: db)
        }
    }

    public func deleteMember(teamID: String, userID: String) async throws {
        try await self.write { db in
            _ = try Self.member(teamID: teamID, userID: userID, in: db)
            try db.execute(sql: "DELETE FROM team_members WHERE team_id = ? AND user_id = ?", arguments: [teamID, userID])
            try Self.requireAnAdmin(teamID: teamID, in: db)
        }
    }

    /// Throwing here rolls the enclosing write back, so the team never commits without an admin.
    private static func requireAnAdmin(teamID: String, in db: Database) throws {
        let admins = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM team_members WHERE team_id = ? AND role = 'admin'", arguments: [teamID])
        guard admins ?? 0 > 0 else { throw DomainError.conflict("A team keeps at least one admin; make someone else admin first") }
    }

    private static func member(teamID: String, userID: String, in db: Database) throws -> TeamMember {
        guard
            let row = try Row.fetchOne(
                db,
                sql: "SELECT m.*, u.username FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ? AND m.user_id = ?",
                arguments: [teamID, userID]
            )
        else { throw DomainError.notFound("No such member") }
        return self.member(from: row)
    }

    private static func member(from row: Row) -> TeamMember {
        TeamMember(userID: row["user_id"], username: row["username"], role: TeamRole(rawValue: row["role"]) ?? .viewer, joinedAt: row["joined_at"])
    }

    private static func team(from row: Row) -> Team {
        Team(
            id: row["id"], name: row["name"], description: row["description"], createdBy: row["created_by"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], memberCount: row["member_count"],
            role: (row["caller_role"] as String?).flatMap(TeamRole.init(rawValue:))
        )
    }

    private static func mapNameConflict<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw DomainError.conflict("A team with that name exists")
        }
    }
}
