import Hummingbird
import HummingbirdAuth
import Models

/// `/api/sessions/{session_id}/participants`: who takes part, with which role.
public struct ParticipantsController<Context: APIRequestContext>: Sendable {
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

    @Sendable func list(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let page = try await self.participants.list(sessionID: try context.sessionID, for: try context.requireUser(), page: try request.query.page)
        return page
    }

    @Sendable func invite(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let invite = try await request.decode(as: ParticipantInvite.self, context: context)
        return EditedResponse(status: .created, response: try await self.participants.invite(invite, sessionID: try context.sessionID, by: user))
    }

    @Sendable func changeRole(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let change = try await request.decode(as: ParticipantRoleChange.self, context: context)
        let participant = try await self.participants.changeRole(
            change,
            of: try context.parameters.require("user_id"),
            sessionID: try context.sessionID,
            by: user
        )
        return participant
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.participants.remove(
            userID: try context.parameters.require("user_id"), sessionID: try context.sessionID, by: try context.requireUser())
        return HTTPResponse.Status.noContent
    }
}
