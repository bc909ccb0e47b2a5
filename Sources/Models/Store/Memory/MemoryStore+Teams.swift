import Foundation

extension MemoryStore {
    struct StoredMember: Sendable {
        var role: TeamRole
        let joinedAt: Date
    }

    public func insertTeam(_ team: Team, creatorID: String) async throws {
        try self.write { tables in
            try tables.requireUniqueName(team)
            try tables.require(users: creatorID)
            tables.teams[team.id] = Team(
                id: team.id, name: team.name, description: team.description, createdBy: creatorID, createdAt: team.createdAt,
                updatedAt: team.updatedAt, memberCount: 0, role: nil
            )
            tables.members[team.id] = [creatorID: StoredMember(role: .admin, joinedAt: team.createdAt)]
        }
    }

    public func teamRole(userID: String, teamID: String) async throws -> TeamRole? {
        try self.read { $0.members[teamID]?[userID]?.role }
    }

    public func team(id: String, for userID: String) async throws -> Team? {
        try self.read { $0.team(id: id, for: userID) }
    }

    public func teams(of userID: String, page: PageRequest) async throws -> Page<Team> {
        try self.read { tables in
            let after = page.cursor?.id ?? ""
            let ids = tables.members.filter { $0.value[userID] != nil && binaryPrecedes(after, $0.key) }.keys.sorted(by: binaryPrecedes)
            let teams = ids.prefix(page.limit + 1).compactMap { tables.team(id: $0, for: userID) }
            return Page(fetched: teams, limit: page.limit) { PageCursor(key: nil, id: $0.id) }
        }
    }

    public func updateTeam(_ team: Team) async throws {
        try self.write { tables in
            guard var stored = tables.teams[team.id] else { return }
            try tables.requireUniqueName(team)
            stored.name = team.name
            stored.description = team.description
            stored.updatedAt = team.updatedAt
            tables.teams[team.id] = stored
        }
    }

    public func deleteTeam(id: String) async throws -> [String] {
        try self.write { tables in
            // Shared sessions stay, with no team: a team-visibility one is then its owner's and participants' alone.
            let shared = tables.sessions.values.filter { $0.teamID == id }.map(\.id).sorted(by: binaryPrecedes)
            tables.teams[id] = nil
            for sessionID in shared { tables.sessions[sessionID]?.teamID = nil }
            tables.members[id] = nil
            tables.teamMetrics[id] = nil
            for insight in tables.insights.values where insight.teamID == id {
                tables.insights[insight.id] = nil
                tables.votes[insight.id] = nil
            }
            return shared
        }
    }

    public func members(teamID: String, page: PageRequest) async throws -> Page<TeamMember> {
        try self.read { tables in
            let after = page.cursor?.id ?? ""
            let members = (tables.members[teamID] ?? [:]).filter { binaryPrecedes(after, $0.key) }
                .sorted { binaryPrecedes($0.key, $1.key) }.prefix(page.limit + 1)
                .map { tables.member(userID: $0.key, $0.value) }
            return Page(fetched: members, limit: page.limit) { PageCursor(key: nil, id: $0.userID) }
        }
    }

    public func insertMember(teamID: String, userID: String, role: TeamRole, maxSize: Int) async throws -> TeamMember {
        let now = self.now()
        return try self.write { tables in
            // Counted in the write, so parallel additions cannot pass the limit.
            guard tables.members[teamID]?.count ?? 0 < maxSize else {
                throw DomainError.conflict("The team has \(maxSize) members, the most allowed")
            }
            guard tables.members[teamID]?[userID] == nil else { throw DomainError.conflict("That user is already a member") }
            try tables.require(team: teamID)
            try tables.require(users: userID)
            let member = StoredMember(role: role, joinedAt: now)
            tables.members[teamID, default: [:]][userID] = member
            return tables.member(userID: userID, member)
        }
    }

    public func updateMemberRole(teamID: String, userID: String, role: TeamRole) async throws -> TeamMember {
        try self.write { tables in
            guard var member = tables.members[teamID]?[userID] else { throw DomainError.notFound("No such member") }
            member.role = role
            try tables.requireAnAdmin(teamID: teamID, with: (userID, member))
            tables.members[teamID]?[userID] = member
            return tables.member(userID: userID, member)
        }
    }

    public func deleteMember(teamID: String, userID: String) async throws {
        try self.write { tables in
            guard tables.members[teamID]?[userID] != nil else { throw DomainError.notFound("No such member") }
            try tables.requireAnAdmin(teamID: teamID, with: (userID, nil))
            tables.members[teamID]?[userID] = nil
        }
    }
}

extension MemoryStore.Tables {
    /// The team with its member count and the caller's role in it.
    fileprivate func team(id: String, for userID: String) -> Team? {
        guard var team = self.teams[id] else { return nil }
        team.memberCount = self.members[id]?.count ?? 0
        team.role = self.members[id]?[userID]?.role
        return team
    }

    fileprivate func member(userID: String, _ stored: MemoryStore.StoredMember) -> TeamMember {
        TeamMember(userID: userID, username: self.username(of: userID) ?? "", role: stored.role, joinedAt: stored.joinedAt)
    }

    /// Team names are unique without regard to ASCII case.
    fileprivate func requireUniqueName(_ team: Team) throws {
        let name = NoCase(team.name)
        guard !self.teams.values.contains(where: { $0.id != team.id && NoCase($0.name) == name }) else {
            throw DomainError.conflict("A team with that name exists")
        }
    }

    /// Refuses a change to one member (nil: their removal) that would leave the team without an admin.
    fileprivate func requireAnAdmin(teamID: String, with change: (userID: String, member: MemoryStore.StoredMember?)) throws {
        var members = self.members[teamID] ?? [:]
        members[change.userID] = change.member
        guard members.values.contains(where: { $0.role == .admin }) else {
            throw DomainError.conflict("A team keeps at least one admin; make someone else admin first")
        }
    }
}
