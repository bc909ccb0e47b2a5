import Foundation
import Models
import Testing

@Suite("Store conformance: insights")
struct InsightConformanceTests {
    private static func draft(_ title: String, type: InsightType = .learning, tags: [String] = [], teamID: String? = nil) throws -> InsightDraft {
        let tags = tags.map { "\"\($0)\"" }.joined(separator: ", ")
        let team = teamID.map { #", "team_id": "\#($0)""# } ?? ""
        return try decode(#"{"title": "\#(title)", "content": "About \#(title)", "insight_type": "\#(type.rawValue)", "tags": [\#(tags)]\#(team)}"#)
    }

    @Test(arguments: StoreBackend.allCases)
    func teamInsightsAreForTheTeam(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob, cat) = (try await world.register("ann"), try await world.register("bob"), try await world.register("cat"))
        let team = try await world.createTeam("Readers", by: ann)
        try await world.addMember(bob, to: team, by: ann)
        let secret = try await world.insights.create(try Self.draft("Team only", teamID: team.id), by: bob)
        let open = try await world.insights.create(try Self.draft("For all"), by: cat)
        await #expect(throws: DomainError.forbidden("team_id must be a team you belong to")) {
            try await world.insights.create(try Self.draft("Sneaky", teamID: team.id), by: cat)
        }
        await #expect(throws: DomainError.notFound("Insight not found")) { try await world.insights.read(id: secret.id, by: cat) }
        let read = try await world.insights.read(id: secret.id, by: ann)
        #expect(read.authorUsername == "bob")
        #expect(read.views == 1)
        #expect(try await world.insights.read(id: secret.id, by: bob).views == 2)
        #expect(Set(try await world.insights.list(for: cat, matching: InsightQuery(), page: PageRequest()).items.map(\.id)) == [open.id])
        #expect(Set(try await world.insights.list(for: ann, matching: InsightQuery(), page: PageRequest()).items.map(\.id)) == [open.id, secret.id])

        // Authors edit; authors and the team's admins delete.
        await #expect(throws: DomainError.forbidden("Only its author may edit an insight")) {
            try await world.insights.update(id: secret.id, with: try decode(#"{"title": "Mine"}"#), by: ann)
        }
        let edited = try await world.insights.update(id: secret.id, with: try decode(#"{"title": "Renamed", "tags": ["a"]}"#), by: bob)
        let stored = try await world.store.insight(id: secret.id, for: bob.id)
        #expect(stored == edited)
        #expect(stored?.title == "Renamed")
        #expect(stored?.content == "About Team only")
        await #expect(throws: DomainError.forbidden("Only its author or an admin of its team may delete an insight")) {
            try await world.insights.delete(id: open.id, by: bob)
        }
        try await world.insights.delete(id: secret.id, by: ann)
        #expect(try await world.store.insight(id: secret.id, for: bob.id) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func aUserVotesOnce(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob) = (try await world.register("ann"), try await world.register("bob"))
        let insight = try await world.insights.create(try Self.draft("Votes"), by: ann)
        for _ in 0..<2 {
            let voted = try await world.insights.vote(id: insight.id, by: bob, upvote: true)
            #expect(voted.upvotes == 1)
            #expect(voted.upvoted)
        }
        let parallel = try await withThrowingTaskGroup(of: Insight.self) { group in
            for _ in 0..<8 { group.addTask { try await world.insights.vote(id: insight.id, by: ann, upvote: true) } }
            return try await group.reduce(into: [Insight]()) { $0.append($1) }
        }
        #expect(parallel.allSatisfy { $0.upvoted })
        let seenByBob = try await world.insights.read(id: insight.id, by: bob)
        #expect(seenByBob.upvotes == 2)
        #expect(seenByBob.upvoted)
        for _ in 0..<2 {
            let unvoted = try await world.insights.vote(id: insight.id, by: bob, upvote: false)
            #expect(unvoted.upvotes == 1)
            #expect(!unvoted.upvoted)
        }
        #expect(try await world.analytics.personal(for: ann).upvotesReceived == 1)
        await #expect(throws: DomainError.notFound("Something this request refers to was deleted meanwhile")) {
            try await world.store.setVote(insightID: "no-such-insight", userID: bob.id, voted: true)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func listingsPageNewestOrMostUpvotedFirst(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        var users: [User] = []
        for name in ["ann", "bob", "cat"] { users.append(try await world.register(name)) }
        var insights: [Insight] = []
        for (index, title) in ["One", "Two", "Three", "Four", "Five"].enumerated() {
            world.clock.advance(by: 60)
            insights.append(
                try await world.insights.create(
                    try Self.draft(title, type: index < 2 ? .pattern : .learning, tags: [title.lowercased()]), by: users[0]))
        }
        // Upvotes: Three 3, One 2, Five 2, the others none.
        for (insight, voters) in [(insights[2], users), (insights[0], Array(users.prefix(2))), (insights[4], Array(users.suffix(2)))] {
            for voter in voters { _ = try await world.insights.vote(id: insight.id, by: voter, upvote: true) }
        }
        let newest = try await allPages(limit: 2) { try await world.insights.list(for: users[1], matching: InsightQuery(), page: $0) }
        #expect(newest.map { $0.map(\.title) } == [["Five", "Four"], ["Three", "Two"], ["One"]])

        var top = InsightQuery()
        top.top = true
        let mostVoted = try await allPages(limit: 2) { try await world.insights.list(for: users[1], matching: top, page: $0) }
        let tied = [insights[0], insights[4]].map(\.id).sorted(by: >)
        let untied = [insights[1], insights[3]].map(\.id).sorted(by: >)
        #expect(mostVoted.flatMap { $0.map(\.id) } == [insights[2].id] + tied + untied)
        #expect(mostVoted.flatMap { $0.map(\.upvotes) } == [3, 2, 2, 0, 0])
        let bobsVotes = Set([insights[2], insights[0], insights[4]].map(\.id))
        #expect(mostVoted.flatMap { $0.map(\.upvoted) } == mostVoted.flatMap { $0.map { bobsVotes.contains($0.id) } })

        func titles(_ configure: (inout InsightQuery) -> Void) async throws -> Set<String> {
            var query = InsightQuery()
            configure(&query)
            return Set(try await world.insights.list(for: users[1], matching: query, page: PageRequest()).items.map(\.title))
        }
        #expect(try await titles { $0.insightType = .pattern } == ["One", "Two"])
        #expect(try await titles { $0.tag = "four" } == ["Four"])
        #expect(try await titles { $0.text = "about t" } == ["Two", "Three"])
        #expect(try await titles { $0.text = "FIV" } == ["Five"])
    }

    @Test(arguments: StoreBackend.allCases)
    func insightsFilterByTeamAndSession(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let ann = try await world.register("ann")
        let team = try await world.createTeam("Insightful", by: ann)
        let session = try await world.createSession(by: ann)
        let forTeam = try await world.insights.create(try Self.draft("Team", teamID: team.id), by: ann)
        let forSession = try await world.insights.create(
            try decode(#"{"title": "S", "content": "c", "insight_type": "recommendation", "session_id": "\#(session.id)"}"#), by: ann
        )
        var query = InsightQuery()
        query.teamID = team.id
        #expect(try await world.insights.list(for: ann, matching: query, page: PageRequest()).items.map(\.id) == [forTeam.id])
        query = InsightQuery()
        query.sessionID = session.id
        #expect(try await world.insights.list(for: ann, matching: query, page: PageRequest()).items.map(\.id) == [forSession.id])
    }
}
