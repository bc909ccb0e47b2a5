import Hummingbird
import HummingbirdAuth
import Models

/// `/api/teams`: teams, their members, and the sessions shared with them.
public struct TeamsController<Context: APIRequestContext>: Sendable {
    let teams: TeamService
    let sessions: SessionService

    public init(teams: TeamService, sessions: SessionService) {
        self.teams = teams
        self.sessions = sessions
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.post(use: self.create)
        group.get(use: self.list)
        group.get(":team_id", use: self.show)
        group.patch(":team_id", use: self.update)
        group.delete(":team_id", use: self.delete)
        group.get(":team_id/members", use: self.members)
        group.post(":team_id/members", use: self.addMember)
        group.patch(":team_id/members/:user_id", use: self.changeRole)
        group.delete(":team_id/members/:user_id", use: self.removeMember)
        group.get(":team_id/sessions", use: self.teamSessions)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let draft = try await request.decode(as: TeamDraft.self, context: context)
        return EditedResponse(status: .created, response: try await self.teams.create(draft, by: user))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.teams.teams(of: try context.requireUser(), page: try request.query.page)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.teams.team(id: try context.teamID, for: try context.requireUser())
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let draft = try await request.decode(as: TeamDraft.self, context: context)
        return try await self.teams.update(teamID: try context.teamID, with: draft, by: user)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.teams.delete(teamID: try context.teamID, by: try context.requireUser())
        return HTTPResponse.Status.noContent
    }

    @Sendable func members(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let page = try await self.teams.members(teamID: try context.teamID, for: try context.requireUser(), page: try request.query.page)
        return page
    }

    @Sendable func addMember(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let draft = try await request.decode(as: TeamMemberDraft.self, context: context)
        return EditedResponse(status: .created, response: try await self.teams.addMember(draft, teamID: try context.teamID, by: user))
    }

    @Sendable func changeRole(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let change = try await request.decode(as: TeamRoleChange.self, context: context)
        let member = try await self.teams.changeRole(change, of: try context.parameters.require("user_id"), teamID: try context.teamID, by: user)
        return member
    }

    @Sendable func removeMember(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.teams.removeMember(try context.parameters.require("user_id"), teamID: try context.teamID, by: try context.requireUser())
        return HTTPResponse.Status.noContent
    }

    /// The sessions shared with the team that the caller can see, newest activity first.
    @Sendable func teamSessions(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let team = try await self.teams.team(id: try context.teamID, for: user)
        var query = SessionQuery()
        query.teamID = team.id
        return try await self.sessions.list(for: user, matching: query, page: try request.query.page)
    }
}

extension RequestContext {
    var teamID: String {
        get throws { try self.parameters.require("team_id") }
    }
}
