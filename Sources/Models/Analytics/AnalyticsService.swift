import Foundation

/// Team, session and personal figures, each for callers who may see them.
public struct AnalyticsService: Sendable {
    let store: any AnalyticsStore & MembershipStore
    let sessions: SessionService
    let now: @Sendable () -> Date

    /// The period a team report covers when the caller gives none.
    static let defaultPeriod: TimeInterval = 7 * 86_400
    /// Bounds each report so a week-long hourly series cannot grow without limit.
    static let maximumBuckets = 2_000.0
    /// How often team_metrics records a team's figures: enough for a trend, bounded however often dashboards poll.
    static let snapshotInterval: TimeInterval = 3_600

    public init(store: any AnalyticsStore & MembershipStore, sessions: SessionService, now: @escaping @Sendable () -> Date = WireFormat.now) {
        self.store = store
        self.sessions = sessions
        self.now = now
    }

    public func team(teamID: String, from: Date?, to: Date?, bucket: AnalyticsBucket, for user: User) async throws -> TeamAnalytics {
        guard try await self.store.teamRole(userID: user.id, teamID: teamID) != nil else { throw DomainError.notFound("Team not found") }
        let end = to ?? self.now()
        let start = from ?? end.addingTimeInterval(-Self.defaultPeriod)
        guard start < end else { throw DomainError.invalid("from", "must be before to") }
        let bucketSeconds: TimeInterval = bucket == .hour ? 3_600 : bucket == .day ? 86_400 : 604_800
        guard end.timeIntervalSince(start) / bucketSeconds <= Self.maximumBuckets else {
            throw DomainError.invalid("bucket", "gives more than \(Int(Self.maximumBuckets)) buckets for this period; use a larger one")
        }
        let report = try await self.store.teamAnalytics(teamID: teamID, from: start, to: end, bucket: bucket)
        // Looking at a team's figures keeps its team_metrics series going, one snapshot an hour however often it is asked.
        let now = self.now()
        _ = try await self.store.recordTeamMetrics(teamID: teamID, now: now, unlessRecordedSince: now.addingTimeInterval(-Self.snapshotInterval))
        return report
    }

    public func session(sessionID: String, for user: User) async throws -> SessionAnalytics {
        _ = try await self.sessions.authorize(.observe, sessionID: sessionID, user: user)
        return try await self.store.sessionAnalytics(sessionID: sessionID, historyLimit: 500)
    }

    public func personal(for user: User) async throws -> PersonalAnalytics {
        try await self.store.personalAnalytics(userID: user.id)
    }
}
