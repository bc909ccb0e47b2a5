import Foundation
import Hummingbird
import HummingbirdAuth
import Models

/// `/api/analytics`: team, session and personal figures.
public struct AnalyticsController<Context: APIRequestContext>: Sendable {
    let analytics: AnalyticsService

    public init(analytics: AnalyticsService) {
        self.analytics = analytics
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.get("team", use: self.team)
        group.get("sessions/:session_id", use: self.session)
        group.get("me", use: self.me)
    }

    @Sendable func team(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let parameters = request.query
        guard let teamID = try parameters.id("team_id") else { throw DomainError.invalid("team_id", "is required") }
        let report = try await self.analytics.team(
            teamID: teamID,
            from: try Self.time(parameters, "from"),
            to: try Self.time(parameters, "to"),
            bucket: try parameters.value("bucket", as: AnalyticsBucket.self) ?? .day,
            for: user
        )
        return report
    }

    @Sendable func session(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.analytics.session(sessionID: try context.sessionID, for: try context.requireUser())
    }

    @Sendable func me(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.analytics.personal(for: try context.requireUser())
    }

    private static func time(_ parameters: QueryParameters, _ name: String) throws -> Date? {
        guard let text = parameters.string(name) else { return nil }
        guard let date = WireFormat.parseTimestamp(text) else {
            throw DomainError.invalid(name, "must be an ISO 8601 time like 2026-11-26T00:00:00Z")
        }
        return date
    }
}
