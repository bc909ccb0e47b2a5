import Foundation
import Models
import Testing

@Suite("Store conformance: sessions")
struct SessionConformanceTests {
    @Test(arguments: StoreBackend.allCases)
    func theQuotaHoldsSequentiallyAndInParallel(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend, maxSessionsPerUser: 3)
        let ann = try await world.register("ann")
        let bob = try await world.register("bob")
        for _ in 0..<3 { _ = try await world.createSession(by: ann) }
        await #expect(throws: DomainError.conflict("You own 3 sessions, the most allowed; delete one first")) {
            try await world.createSession(by: ann)
        }
        let created = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<12 { group.addTask { (try? await world.createSession(by: bob)) != nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(created == 3)
        var owned = SessionQuery()
        owned.ownedByCaller = true
        #expect(try await world.sessions.list(for: bob, matching: owned, page: PageRequest()).items.count == 3)
    }

    @Test(arguments: StoreBackend.allCases)
    func whoSeesASessionFollowsVisibility(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob, cat) = (try await world.register("ann"), try await world.register("bob"), try await world.register("cat"))
        let team = try await world.createTeam("Core", by: ann)
        try await world.addMember(cat, to: team, by: ann)
        let session = try await world.createSession(by: ann) { $0.projectName = "shared" }
        #expect(session.role == .host)
        #expect(try await world.sessions.role(of: ann.id, inSessionID: session.id) == .host)

        // Private: its owner alone.
        for outsider in [bob, cat] {
            await #expect(throws: DomainError.notFound("Session not found")) { try await world.sessions.session(id: session.id, for: outsider) }
            #expect(try await world.sessions.list(for: outsider, matching: SessionQuery(), page: PageRequest()).items.isEmpty)
        }

        // Team: its members as viewers, nobody else.
        let shared = try await world.update(session, by: ann) {
            $0.teamID = .some(team.id)
            $0.visibility = .team
        }
        #expect(shared.value.sharedAt == world.clock.now)
        #expect(try await world.sessions.session(id: session.id, for: cat).role == .viewer)
        #expect(try await world.sessions.list(for: cat, matching: SessionQuery(), page: PageRequest()).items.map(\.id) == [session.id])
        #expect(try await world.sessions.role(of: bob.id, inSessionID: session.id) == nil)
        #expect(try await world.sessions.list(for: bob, matching: SessionQuery(), page: PageRequest()).items.isEmpty)

        // Public: everyone, as viewers.
        _ = try await world.update(session, by: ann) { $0.visibility = .public }
        let seen = try await world.sessions.session(id: session.id, for: bob)
        #expect(seen.role == .viewer)
        #expect(seen.ownerID == ann.id)
        #expect(seen.projectName == "shared")
        #expect(try await world.sessions.list(for: bob, matching: SessionQuery(), page: PageRequest()).items.map(\.role) == [.viewer])
        #expect(world.publisher.accessChanges == [.session(id: session.id), .session(id: session.id)])
    }

    @Test(arguments: StoreBackend.allCases)
    func rolesDecideWhatParticipantsMayDo(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, dan, eve) = (try await world.register("ann"), try await world.register("dan"), try await world.register("eve"))
        let session = try await world.createSession(by: ann)
        try await world.invite(dan, to: session, as: .editor, by: ann)
        try await world.invite(eve, to: session, as: .viewer, by: ann)
        #expect(try await world.sessions.session(id: session.id, for: dan).role == .editor)
        #expect(try await world.sessions.list(for: eve, matching: SessionQuery(), page: PageRequest()).items.map(\.role) == [.viewer])

        let edited = try await world.update(session, by: dan) { $0.description = .some("by an editor") }
        #expect(edited.value.description == "by an editor")
        #expect(edited.eventID != nil)
        await #expect(throws: DomainError.forbidden("Your role in this session (editor) does not allow this")) {
            try await world.update(session, by: dan) { $0.visibility = .public }
        }
        await #expect(throws: DomainError.forbidden("Your role in this session (viewer) does not allow this")) {
            try await world.update(session, by: eve) { $0.tokenCount = 5 }
        }
        await #expect(throws: DomainError.forbidden("Your role in this session (viewer) does not allow this")) {
            try await world.post("hello", in: session, by: eve)
        }
        await #expect(throws: DomainError.forbidden("Only the session's owner may delete it")) {
            try await world.sessions.delete(sessionID: session.id, by: dan)
        }
        #expect(try await world.sessions.session(id: session.id, for: ann).description == "by an editor")
    }

    @Test(arguments: StoreBackend.allCases)
    func listingsPageInSortOrderWithTiesByID(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let ann = try await world.register("ann")
        var created: [CodingSession] = []
        for tokens in [300, 100, 300, 200, 500, 300, 0] {
            world.clock.advance(by: 1)
            created.append(try await world.createSession(by: ann) { $0.tokenCount = tokens })
        }
        for descending in [true, false] {
            var query = SessionQuery()
            query.sort = .tokenCount
            query.descending = descending
            let pages = try await allPages(limit: 3) { try await world.sessions.list(for: ann, matching: query, page: $0) }
            #expect(pages.map(\.count) == [3, 3, 1])
            let expected = created.sorted { ($0.tokenCount, $0.id) < ($1.tokenCount, $1.id) }.map(\.id)
            #expect(pages.flatMap { $0.map(\.id) } == (descending ? expected.reversed() : expected))
        }
        // The default order: latest activity first; then by creation, oldest first.
        let byActivity = try await allPages(limit: 4) { try await world.sessions.list(for: ann, matching: SessionQuery(), page: $0) }
        #expect(byActivity.flatMap { $0.map(\.id) } == created.reversed().map(\.id))
        var byCreation = SessionQuery()
        byCreation.sort = .createdAt
        byCreation.descending = false
        let oldestFirst = try await allPages(limit: 2) { try await world.sessions.list(for: ann, matching: byCreation, page: $0) }
        #expect(oldestFirst.flatMap { $0.map(\.id) } == created.map(\.id))

        // Sessions active in the same millisecond tie, and their ids order them.
        world.clock.advance(by: 1)
        let sameTime = [try await world.createSession(by: ann), try await world.createSession(by: ann)].map(\.id).sorted()
        let newest = try await world.sessions.list(for: ann, matching: SessionQuery(), page: PageRequest(limit: 1))
        #expect(newest.items.map(\.id) == [sameTime[1]])
        let next = try await world.sessions.list(for: ann, matching: SessionQuery(), page: PageRequest(limit: 1, cursor: newest.nextCursor))
        #expect(next.items.map(\.id) == [sameTime[0]])
    }

    @Test(arguments: StoreBackend.allCases)
    func listingsFilter(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob) = (try await world.register("ann"), try await world.register("bob"))
        let team = try await world.createTeam("Filters", by: ann)
        try await world.addMember(bob, to: team, by: ann)
        let alpha = try await world.createSession(by: ann) {
            $0.projectName = "Alpha Project"
            $0.tags = ["swift", "server"]
            $0.status = .idle
        }
        let percent = try await world.createSession(by: ann) {
            $0.type = "cursor"
            $0.description = "50% done_ish"
            $0.teamID = team.id
            $0.visibility = .team
        }
        let bobs = try await world.createSession(by: bob) {
            $0.description = "ALPHA notes"
            $0.visibility = .public
        }
        func ids(_ configure: (inout SessionQuery) -> Void) async throws -> Set<String> {
            var query = SessionQuery()
            configure(&query)
            return Set(try await world.sessions.list(for: ann, matching: query, page: PageRequest()).items.map(\.id))
        }
        #expect(try await ids { _ in } == [alpha.id, percent.id, bobs.id])
        #expect(try await ids { $0.status = .idle } == [alpha.id])
        #expect(try await ids { $0.type = "cursor" } == [percent.id])
        #expect(try await ids { $0.type = "Cursor" } == [])
        #expect(try await ids { $0.tag = "server" } == [alpha.id])
        #expect(try await ids { $0.tag = "serv" } == [])
        #expect(try await ids { $0.teamID = team.id } == [percent.id])
        #expect(try await ids { $0.visibility = .public } == [bobs.id])
        #expect(try await ids { $0.ownedByCaller = true } == [alpha.id, percent.id])
        // Text: in the project name or description, ASCII letters without case, '%' and '_' literally.
        #expect(try await ids { $0.text = "alpha" } == [alpha.id, bobs.id])
        #expect(try await ids { $0.text = "0% d" } == [percent.id])
        #expect(try await ids { $0.text = "5%one" } == [])
        #expect(try await ids { $0.text = "e_i" } == [percent.id])
        #expect(try await ids { $0.text = "o_e" } == [])
    }

    @Test(arguments: StoreBackend.allCases)
    func updatesRecordWhatChangedAndHistoryPages(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let ann = try await world.register("ann")
        let session = try await world.createSession(by: ann) { $0.tokenCount = 10 }
        let unchanged = try await world.update(session, by: ann) { $0.tokenCount = 10 }
        #expect(unchanged.eventID == nil)
        #expect(unchanged.value == session)
        for tokens in [20, 30, 40] {
            world.clock.advance(by: 10)
            let recorded = try await world.update(session, by: ann) { $0.tokenCount = tokens }
            #expect(recorded.value.tokenCount == tokens)
            #expect(recorded.value.lastActivity == world.clock.now)
        }
        _ = try await world.update(session, by: ann) { $0.description = .some("no metrics, no snapshot") }

        let log = try await world.log(of: session, for: ann)
        #expect(log.map(\.type) == Array(repeating: .sessionUpdate, count: 4))
        #expect(log.first?.payload["changes"] == .object(["token_count": .number(20)]))
        #expect(log.first?.actorID == ann.id)
        let pages = try await allPages(limit: 3) { try await world.sessions.history(sessionID: session.id, for: ann, page: $0) }
        #expect(pages.map { $0.map(\.tokenCount) } == [[10, 20, 30], [40]])
        #expect(pages.flatMap { $0 }.map(\.recordedAt) == (0...3).map { session.createdAt.addingTimeInterval(Double($0) * 10) })
        let stored = try await world.sessions.session(id: session.id, for: ann)
        #expect(stored.tokenCount == 40)
        #expect(stored.description == "no metrics, no snapshot")
    }

    @Test(arguments: StoreBackend.allCases)
    func deletingASessionTakesItsRecordsAlong(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob) = (try await world.register("ann"), try await world.register("bob"))
        let session = try await world.createSession(by: ann) { $0.visibility = .public }
        try await world.post("soon gone", in: session, by: ann)
        let insight = try await world.insights.create(
            try decode(#"{"title": "t", "content": "c", "insight_type": "learning", "session_id": "\#(session.id)"}"#), by: bob
        )
        #expect(try await world.store.latestEventID(sessionID: session.id) > 0)

        try await world.sessions.delete(sessionID: session.id, by: ann)
        await #expect(throws: DomainError.notFound("Session not found")) { try await world.sessions.session(id: session.id, for: ann) }
        #expect(try await world.store.latestEventID(sessionID: session.id) == 0)
        #expect(try await world.store.history(sessionID: session.id, page: PageRequest()).items.isEmpty)
        #expect(try await world.store.participants(sessionID: session.id, page: PageRequest()).items.isEmpty)
        #expect(try await world.insights.read(id: insight.id, by: bob).sessionID == nil)
        #expect(world.publisher.accessChanges.last == .sessionDeleted(id: session.id))
        // A deleted session frees its place in the quota.
        #expect(try await world.analytics.personal(for: ann).sessionsOwned == 0)
    }
}
