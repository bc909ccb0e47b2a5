import Hummingbird
import HummingbirdAuth
import Models

/// `/api/sessions/{session_id}/participants`: who takes part, with which role.
public struct ParticipantsController<Context: AuthRequestContext<User>>: Sendable {
    let participants: ParticipantService

    public init(participants: ParticipantService) {
        self.participants = participants
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.get(use: self.list)
        group.post(use: self.invite)
        group.patch(":user_id", use: self.changeRole)
        group.delete(":user_id", use: self.remove)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let page = try await self.participants.list(sessionID: try context.sessionID, for: try context.requireUser(), page: try request.query.page)
        return try JSONResponse.make(page)
    }

    @Sendable func invite(_ request: Request, context: Context) async throws -> Response {
        let user = try context.requireUser()
        let invite = try await JSONBody.decode(ParticipantInvite.self, from: request)
        return try JSONResponse.make(try await self.participants.invite(invite, sessionID: try context.sessionID, by: user), status: .created)
    }

    @Sendable func changeRole(_ request: Request, context: Context) async throws -> Response {
        let user = try context.requireUser()
        let change = try await JSONBody.decode(ParticipantRoleChange.self, from: request)
        let participant = try await self.participants.changeRole(
            change,
            of: try context.parameters.require("user_id"),
            sessionID: try context.sessionID,
            by: user
        )
        return try JSONResponse.make(participant)
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        try await self.participants.remove(
            userID: try context.parameters.require("user_id"), sessionID: try context.sessionID, by: try context.requireUser())
        return JSONResponse.noContent
    }
}
