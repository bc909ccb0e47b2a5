import Foundation
import Models
import Testing

/// team_metrics keeps one snapshot of a team's figures an hour, however often its report is read.
@Suite("Team metrics snapshots")
struct TeamMetricsTests {
    @Test func recordsAtMostOneSnapshotPerInterval() async throws {
        let store = try SQLiteStore.inMemory()
        let accounts = AccountService(store: store, hasher: PlainTextHasher(), refreshTokenLifetime: 3600)
        let user = try await accounts.register(Registration(email: "tia@example.com", username: "tia", password: "password-1"))
        let team = try await TeamService(store: store, publisher: DiscardingPublisher(), maxTeamSize: 5)
            .create(try JSONDecoder().decode(TeamDraft.self, from: Data(#"{"name": "Metrics"}"#.utf8)), by: user)
        let hour: TimeInterval = 3600
        let start = Date()

        #expect(try await store.recordTeamMetrics(teamID: team.id, now: start, unlessRecordedSince: start.addingTimeInterval(-hour)))
        let soon = start.addingTimeInterval(60)
        #expect(try await !store.recordTeamMetrics(teamID: team.id, now: soon, unlessRecordedSince: soon.addingTimeInterval(-hour)))
        let later = start.addingTimeInterval(hour + 1)
        #expect(try await store.recordTeamMetrics(teamID: team.id, now: later, unlessRecordedSince: later.addingTimeInterval(-hour)))
    }
}
