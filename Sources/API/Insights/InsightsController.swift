import Hummingbird
import HummingbirdAuth
import Models

/// `/api/insights`: lessons, patterns and recommendations shared from sessions, with views and upvotes.
public struct InsightsController<Context: APIRequestContext>: Sendable {
    let insights: InsightService

    public init(insights: InsightService) {
        self.insights = insights
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.post(use: self.create)
        group.get(use: self.list)
        group.get(":insight_id", use: self.show)
        group.patch(":insight_id", use: self.update)
        group.delete(":insight_id", use: self.delete)
        group.post(":insight_id/upvote", use: self.upvote)
        group.delete(":insight_id/upvote", use: self.withdrawUpvote)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let draft = try await request.decode(as: InsightDraft.self, context: context)
        return EditedResponse(status: .created, response: try await self.insights.create(draft, by: user))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let parameters = request.query
        var query = InsightQuery()
        query.teamID = try parameters.id("team_id")
        query.insightType = try parameters.value("insight_type", as: InsightType.self)
        query.tag = parameters.string("tag")
        query.sessionID = try parameters.id("session_id")
        query.text = parameters.string("q").flatMap { $0.isEmpty ? nil : $0 }
        switch parameters.string("sort") {
        case nil, "recent": query.top = false
        case "top": query.top = true
        default: throw DomainError.invalid("sort", "must be recent or top")
        }
        return try await self.insights.list(for: try context.requireUser(), matching: query, page: try parameters.page)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.insights.read(id: try context.insightID, by: try context.requireUser())
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let draft = try await request.decode(as: InsightDraft.self, context: context)
        return try await self.insights.update(id: try context.insightID, with: draft, by: user)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.insights.delete(id: try context.insightID, by: try context.requireUser())
        return HTTPResponse.Status.noContent
    }

    @Sendable func upvote(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.insights.vote(id: try context.insightID, by: try context.requireUser(), upvote: true)
    }

    @Sendable func withdrawUpvote(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.insights.vote(id: try context.insightID, by: try context.requireUser(), upvote: false)
    }
}

extension RequestContext {
    var insightID: String {
        get throws { try self.parameters.require("insight_id") }
    }
}
