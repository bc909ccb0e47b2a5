import Foundation
import Models
import Testing

@Suite("Store conformance: analytics")
struct AnalyticsConformanceTests {
    /// Team "Metrics" (ann, bob) and four sessions; the clock starts on Friday 2027-01-15 08:00 UTC and the shared
    /// sessions' snapshots are taken on Sunday the 17th, from 08:00 on.
    struct Figures {
        let world: StoreWorld
        let ann: User
        let bob: User
        let team: Team
        /// ann's, team-visible: active, 100 then 150 then 200 tokens, health 0.5 then 0.75, 1 error.
        let shared: CodingSession
        /// bob's, public in the team: idle, 300 tokens, no health, 2 then 3 errors.
        let open: CodingSession
        /// ann's, private though in the team: never counted for the team.
        let hidden: CodingSession
        /// ann's, team-visible, active only on the Friday.
        let old: CodingSession
        /// Sunday 08:00.
        let sunday: Date

        init(_ backend: StoreBackend) async throws {
            let world = try await StoreWorld(backend)
            let ann = try await world.register("ann")
            let bob = try await world.register("bob")
            let team = try await world.createTeam("Metrics", by: ann)
            try await world.addMember(bob, to: team, by: ann)
            self.world = world
            self.ann = ann
            self.bob = bob
            self.team = team
            self.old = try await world.createSession(by: ann) {
                $0.teamID = team.id
                $0.visibility = .team
                $0.status = .completed
                $0.tokenCount = 50
            }
            world.clock.advance(by: 2 * 86_400)
            self.sunday = world.clock.now
            self.shared = try await world.createSession(by: ann) {
                $0.teamID = team.id
                $0.visibility = .team
                $0.tokenCount = 100
                $0.healthScore = 0.5
                $0.errorCount = 1
            }
            self.open = try await world.createSession(by: bob) {
                $0.type = "cursor"
                $0.teamID = team.id
                $0.visibility = .public
                $0.status = .idle
                $0.tokenCount = 300
                $0.errorCount = 2
            }
            self.hidden = try await world.createSession(by: ann) {
                $0.teamID = team.id
                $0.status = .error
                $0.tokenCount = 1000
                $0.healthScore = 0.25
            }
            world.clock.advance(by: 600)
            _ = try await world.update(self.shared, by: ann) { $0.tokenCount = 150 }
            world.clock.advance(by: 600)
            _ = try await world.update(self.open, by: bob) { $0.errorCount = 3 }
            world.clock.advance(by: 3_000)
            _ = try await world.update(self.shared, by: ann) {
                $0.tokenCount = 200
                $0.healthScore = .some(0.75)
            }
        }

        func report(_ bucket: AnalyticsBucket, for user: User? = nil) async throws -> TeamAnalytics {
            try await self.world.analytics.team(
                teamID: self.team.id, from: self.sunday.addingTimeInterval(-86_400), to: self.sunday.addingTimeInterval(86_400), bucket: bucket,
                for: user ?? self.ann
            )
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func teamFiguresCountTheSharedSessionsOfThePeriod(backend: StoreBackend) async throws {
        let figures = try await Figures(backend)
        let report = try await figures.report(.hour)
        #expect(report.totalSessions == 2)
        #expect(report.activeSessions == 1)
        #expect(report.totalTokens == 500)
        #expect(report.averageHealth == 0.75)
        #expect(report.totalErrors == 4)
        #expect(report.sessionsByStatus == ["active": 1, "idle": 1, "paused": 0, "completed": 0, "error": 0])
        #expect(report.sessionsByType == ["claude": 1, "cursor": 1])
        #expect(
            report.tokensByMember == [
                MemberTokens(userID: figures.bob.id, username: "bob", sessions: 1, tokens: 300),
                MemberTokens(userID: figures.ann.id, username: "ann", sessions: 1, tokens: 200),
            ])
        // Per hour: each session's largest figures in it, summed; health averaged over the sessions that have one.
        #expect(
            report.series == [
                SeriesPoint(bucketStart: "2027-01-17T08:00:00.000Z", snapshots: 4, tokens: 450, errors: 4, averageHealth: 0.5),
                SeriesPoint(bucketStart: "2027-01-17T09:00:00.000Z", snapshots: 1, tokens: 200, errors: 1, averageHealth: 0.75),
            ])
        await #expect(throws: DomainError.notFound("Team not found")) {
            try await figures.report(.day, for: try await figures.world.register("cat"))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func seriesBucketByDayAndByWeekFromMonday(backend: StoreBackend) async throws {
        let figures = try await Figures(backend)
        let day = try await figures.report(.day)
        #expect(day.series == [SeriesPoint(bucketStart: "2027-01-17T00:00:00.000Z", snapshots: 5, tokens: 500, errors: 4, averageHealth: 1.75 / 3)])
        let week = try await figures.report(.week)
        #expect(week.series.map(\.bucketStart) == ["2027-01-11T00:00:00.000Z"])
        #expect(week.series.map(\.snapshots) == [5])

        // From Thursday to Sunday 08:00: the Friday session and the first snapshots of Sunday's, all of one week.
        let friday = try await figures.world.analytics.team(
            teamID: figures.team.id, from: figures.sunday.addingTimeInterval(-3 * 86_400), to: figures.sunday, bucket: .week, for: figures.bob
        )
        #expect(friday.series.map(\.bucketStart) == ["2027-01-11T00:00:00.000Z"])
        #expect(friday.series.map(\.snapshots) == [3])
        #expect(friday.totalSessions == 3)
        #expect(friday.sessionsByStatus["completed"] == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func teamMetricsAreRecordedOnceAnInterval(backend: StoreBackend) async throws {
        let figures = try await Figures(backend)
        let store = figures.world.store
        let start = figures.world.clock.now
        #expect(try await store.recordTeamMetrics(teamID: figures.team.id, now: start, unlessRecordedSince: start.addingTimeInterval(-3_600)))
        let soon = start.addingTimeInterval(60)
        #expect(try await !store.recordTeamMetrics(teamID: figures.team.id, now: soon, unlessRecordedSince: soon.addingTimeInterval(-3_600)))
        let later = start.addingTimeInterval(3_601)
        #expect(try await store.recordTeamMetrics(teamID: figures.team.id, now: later, unlessRecordedSince: later.addingTimeInterval(-3_600)))
        // A report records one too, unless one was recorded in the last hour.
        _ = try await figures.report(.day)
        figures.world.clock.advance(by: 3_600 + 3_601 + 1)
        _ = try await figures.report(.day)
        let now = figures.world.clock.now
        #expect(try await !store.recordTeamMetrics(teamID: figures.team.id, now: now, unlessRecordedSince: now.addingTimeInterval(-3_600)))
        await #expect(throws: DomainError.notFound("Something this request refers to was deleted meanwhile")) {
            try await store.recordTeamMetrics(teamID: "no-such-team", now: now, unlessRecordedSince: now.addingTimeInterval(-3_600))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func sessionAndPersonalFigures(backend: StoreBackend) async throws {
        let figures = try await Figures(backend)
        let (world, ann, bob, shared) = (figures.world, figures.ann, figures.bob, figures.shared)
        try await world.invite(bob, to: shared, as: .editor, by: ann)
        let chat = try await world.post("counted", in: shared, by: ann)
        let gone = try await world.post("deleted", in: shared, by: ann)
        try await world.messages.delete(messageID: gone.id, sessionID: shared.id, by: ann)
        _ = try await world.messages.post(MessageDraft(type: .comment, content: "c", file: "a.swift", line: 1), sessionID: shared.id, by: ann)
        for user in [ann, bob] {
            _ = try await world.messages.react(ReactionDraft(emoji: "👍"), messageID: chat.id, sessionID: shared.id, by: user)
        }
        let insight = try await world.insights.create(try decode(#"{"title": "t", "content": "c", "insight_type": "learning"}"#), by: ann)
        _ = try await world.insights.vote(id: insight.id, by: bob, upvote: true)

        let session = try await world.analytics.session(sessionID: shared.id, for: bob)
        #expect(session.history.map(\.tokenCount) == [100, 150, 200])
        #expect(session.history == (try await world.sessions.history(sessionID: shared.id, for: ann, page: PageRequest()).items))
        #expect(session.messages == 1)
        #expect(session.comments == 1)
        #expect(session.reactions == 2)
        #expect(session.participants == 2)
        // Two metric updates, the invitation, three messages, a deletion and two reactions.
        #expect(session.events == 9)
        let latest = try await world.store.sessionAnalytics(sessionID: shared.id, historyLimit: 2)
        #expect(latest.history.map(\.tokenCount) == [150, 200])

        let personal = try await world.analytics.personal(for: ann)
        #expect(personal.sessionsOwned == 3)
        #expect(personal.sessionsByStatus == ["active": 1, "idle": 0, "paused": 0, "completed": 1, "error": 1])
        #expect(personal.totalTokens == 1_250)
        #expect(personal.averageHealth == 0.5)
        #expect(personal.messagesSent == 1)
        #expect(personal.commentsMade == 1)
        #expect(personal.reactionsGiven == 1)
        #expect(personal.insightsShared == 1)
        #expect(personal.upvotesReceived == 1)
        #expect(personal.teams == 1)
        let nobody = try await world.analytics.personal(for: try await world.register("cat"))
        #expect(nobody.sessionsOwned == 0)
        #expect(nobody.averageHealth == nil)
        #expect(nobody.sessionsByStatus.values.allSatisfy { $0 == 0 })
    }
}
