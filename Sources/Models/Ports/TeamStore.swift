/// Teams and their members. Rules that must hold under concurrent requests (unique names, the size limit,
/// at least one admin) are checked inside the write transaction.
public protocol TeamStore: Sendable {
    /// Inserts the team with its creator as admin; `DomainError.conflict` when the name is taken.
    func insertTeam(_ team: Team, creatorID: String) async throws
    /// The team with `userID`'s role in it (nil role: not a member), or nil when it does not exist.
    func team(id: String, for userID: String) async throws -> Team?
    func teams(of userID: String, page: PageRequest) async throws -> Page<Team>
    func updateTeam(_ team: Team) async throws
    /// Deletes the team; returns the sessions that were shared with it (their `team_id` is cleared).
    func deleteTeam(id: String) async throws -> [String]
    func members(teamID: String, page: PageRequest) async throws -> Page<TeamMember>
    /// Adds a member; `DomainError.conflict` when already a member or the team has `maxSize` members.
    func insertMember(teamID: String, userID: String, role: TeamRole, maxSize: Int) async throws -> TeamMember
    /// Changes a role; `DomainError.conflict` if that would leave the team without an admin, notFound if no such member.
    func updateMemberRole(teamID: String, userID: String, role: TeamRole) async throws -> TeamMember
    /// Removes a member; `DomainError.conflict` if that would leave the team without an admin, notFound if no such member.
    func deleteMember(teamID: String, userID: String) async throws
}
