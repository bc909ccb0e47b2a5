import Foundation

/// Aggregates computed by the database, never by loading rows into Swift.
public protocol AnalyticsStore: Sendable {
    /// The team's shared sessions (visibility team or public) and their history between `from` and `to`; also records
    /// the totals in team_metrics.
    func teamAnalytics(teamID: String, from: Date, to: Date, bucket: AnalyticsBucket) async throws -> TeamAnalytics
    func sessionAnalytics(sessionID: String, historyLimit: Int) async throws -> SessionAnalytics
    func personalAnalytics(userID: String) async throws -> PersonalAnalytics
}
