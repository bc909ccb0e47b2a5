import Hummingbird
import HummingbirdAuth
import Models

/// `/api/sessions`: the LLM coding sessions a CLI or IDE reports, their history and event log.
public struct SessionsController<Context: APIRequestContext>: Sendable {
    let sessions: SessionService

    public init(sessions: SessionService) {
        self.sessions = sessions
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.post(use: self.create)
        group.get(use: self.list)
        group.get(":session_id", use: self.show)
        group.patch(":session_id", use: self.update)
        group.delete(":session_id", use: self.delete)
        group.get(":session_id/history", use: self.history)
        group.get(":session_id/events", use: self.events)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let draft = try await request.decode(as: SessionDraft.self, context: context)
        return EditedResponse(status: .created, response: try await self.sessions.create(draft, by: try context.requireUser()))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let parameters = request.query
        var query = SessionQuery()
        query.status = try parameters.value("status", as: SessionStatus.self)
        query.type = parameters.string("type")
        query.teamID = try parameters.id("team_id")
        query.tag = parameters.string("tag")
        query.visibility = try parameters.value("visibility", as: SessionVisibility.self)
        if let owner = parameters.string("owner") {
            guard owner == "me" else { throw DomainError.invalid("owner", "must be 'me'") }
            query.ownedByCaller = true
        }
        query.text = parameters.string("q").flatMap { $0.isEmpty ? nil : $0 }
        if let sort = parameters.string("sort") { (query.sort, query.descending) = try SessionSort.parse(sort) }
        return try await self.sessions.list(for: user, matching: query, page: try parameters.page)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.sessions.session(id: try context.sessionID, for: try context.requireUser())
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let sessionID = try context.sessionID
        // Authorized before the body is read, so outsiders get 404 and viewers 403 whatever they send; once.
        let access = try await self.sessions.access(.updateMetadata, sessionID: sessionID, user: user)
        let changes = try await request.decode(as: SessionChanges.self, context: context)
        return try await self.sessions.update(with: changes, in: access, by: user).value
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.sessions.delete(sessionID: try context.sessionID, by: try context.requireUser())
        return HTTPResponse.Status.noContent
    }

    @Sendable func history(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let page = try await self.sessions.history(sessionID: try context.sessionID, for: try context.requireUser(), page: try request.query.page)
        return page
    }

    @Sendable func events(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let page = try await self.sessions.events(
            sessionID: try context.sessionID,
            type: try request.query.value("type", as: SessionEvent.Kind.self),
            for: try context.requireUser(),
            page: try request.query.page
        )
        return page.map(EventLogEntry.init)
    }
}

extension RequestContext {
    var sessionID: String {
        get throws { try self.parameters.require("session_id") }
    }
}

/// One entry of the REST event log: the stored event and the exact frame a live client received.
struct EventLogEntry: Encodable, Sendable {
    let id: Int64
    let sessionID: String
    let type: SessionEvent.Kind
    @NullEncoded var actorID: String?
    let createdAt: String
    let data: [String: JSONValue]

    init(_ event: SessionEvent) {
        self.id = event.id
        self.sessionID = event.sessionID
        self.type = event.type
        self.actorID = event.actorID
        self.createdAt = WireFormat.timestamp(event.createdAt)
        self.data = event.frame
    }

    enum CodingKeys: String, CodingKey {
        case id, type, data
        case sessionID = "session_id"
        case actorID = "actor_id"
        case createdAt = "created_at"
    }
}
