import Foundation

/// Aggregates computed by the database, never by loading rows into Swift.
public protocol AnalyticsStore: Sendable {
    /// The team's shared sessions (visibility team or public) and their history between `from` and `to`.
    func teamAnalytics(teamID: String, from: Date, to: Date, bucket: AnalyticsBucket) async throws -> TeamAnalytics
    /// Appends the team's current totals to team_metrics unless a snapshot was recorded after `since`; true if it did.
    func recordTeamMetrics(teamID: String, now: Date, unlessRecordedSince since: Date) async throws -> Bool
    func sessionAnalytics(sessionID: String, historyLimit: Int) async throws -> SessionAnalytics
    func personalAnalytics(userID: String) async throws -> PersonalAnalytics
}
