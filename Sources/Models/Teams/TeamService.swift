import Foundation

/// Teams: any user creates one and becomes its admin; admins manage it; members see it; others get 404.
/// Removing a member or the team tells live connections to re-check access to team-shared sessions.
public struct TeamService: Sendable {
    let store: any TeamStore & ParticipantStore
    let publisher: any EventPublisher
    let maxTeamSize: Int
    let now: @Sendable () -> Date

    public init(
        store: any TeamStore & ParticipantStore,
        publisher: any EventPublisher,
        maxTeamSize: Int,
        now: @escaping @Sendable () -> Date = WireFormat.now
    ) {
        self.store = store
        self.publisher = publisher
        self.maxTeamSize = maxTeamSize
        self.now = now
    }

    public func create(_ draft: TeamDraft, by user: User) async throws -> Team {
        guard let name = draft.name else { throw DomainError.invalid("name", "is required") }
        try Self.validate(name: name, description: draft.description ?? nil)
        let now = self.now()
        let team = Team(
            id: UUID().uuidString.lowercased(), name: name, description: draft.description ?? nil, createdBy: user.id,
            createdAt: now, updatedAt: now, memberCount: 1, role: .admin
        )
        try await self.store.insertTeam(team, creatorID: user.id)
        return team
    }

    public func teams(of user: User, page: PageRequest) async throws -> Page<Team> {
        try await self.store.teams(of: user.id, page: page)
    }

    /// The team, for members; 404 otherwise.
    public func team(id: String, for user: User) async throws -> Team {
        guard let team = try await self.store.team(id: id, for: user.id), team.role != nil else {
            throw DomainError.notFound("Team not found")
        }
        return team
    }

    public func update(teamID: String, with draft: TeamDraft, by user: User) async throws -> Team {
        var team = try await self.requireAdmin(teamID: teamID, user: user)
        try Self.validate(name: draft.name ?? team.name, description: draft.description ?? nil)
        if let name = draft.name { team.name = name }
        if let description = draft.description { team.description = description }
        team.updatedAt = self.now()
        try await self.store.updateTeam(team)
        return team
    }

    public func delete(teamID: String, by user: User) async throws {
        _ = try await self.requireAdmin(teamID: teamID, user: user)
        let shared = try await self.store.deleteTeam(id: teamID)
        self.publisher.accessChanged(.team(id: teamID, sessionIDs: shared))
    }

    public func members(teamID: String, for user: User, page: PageRequest) async throws -> Page<TeamMember> {
        _ = try await self.team(id: teamID, for: user)
        return try await self.store.members(teamID: teamID, page: page)
    }

    public func addMember(_ draft: TeamMemberDraft, teamID: String, by user: User) async throws -> TeamMember {
        _ = try await self.requireAdmin(teamID: teamID, user: user)
        let references = [draft.userID.map(UserReference.id), draft.username.map(UserReference.username), draft.email.map(UserReference.email)]
            .compactMap { $0 }
        guard references.count == 1, let reference = references.first else {
            throw DomainError.invalid("user_id", "give exactly one of user_id, username and email")
        }
        guard let memberID = try await self.store.userID(matching: reference) else {
            throw DomainError.invalid(draft.userID != nil ? "user_id" : draft.username != nil ? "username" : "email", "names no user")
        }
        return try await self.store.insertMember(teamID: teamID, userID: memberID, role: draft.role, maxSize: self.maxTeamSize)
    }

    public func changeRole(_ change: TeamRoleChange, of memberID: String, teamID: String, by user: User) async throws -> TeamMember {
        _ = try await self.requireAdmin(teamID: teamID, user: user)
        return try await self.store.updateMemberRole(teamID: teamID, userID: memberID, role: change.role)
    }

    /// Removes a member: admins remove anyone, members remove themselves; the last admin stays.
    public func removeMember(_ memberID: String, teamID: String, by user: User) async throws {
        if memberID == user.id {
            _ = try await self.team(id: teamID, for: user)
        } else {
            _ = try await self.requireAdmin(teamID: teamID, user: user)
        }
        try await self.store.deleteMember(teamID: teamID, userID: memberID)
        self.publisher.accessChanged(.user(id: memberID))
    }

    private func requireAdmin(teamID: String, user: User) async throws -> Team {
        let team = try await self.team(id: teamID, for: user)
        guard team.role == .admin else { throw DomainError.forbidden("Only the team's admins may do this") }
        return team
    }

    private static func validate(name: String, description: String?) throws {
        var problems: [FieldProblem] = []
        if !(1...100).contains(name.unicodeScalars.count) {
            problems.append(FieldProblem(field: "name", message: "must be 1-100 characters"))
        }
        if let description, description.unicodeScalars.count > 2000 {
            problems.append(FieldProblem(field: "description", message: "must be at most 2000 characters"))
        }
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
    }
}
