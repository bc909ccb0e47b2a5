import Foundation
import Models
import Testing

@Suite("Store conformance: teams")
struct TeamConformanceTests {
    @Test(arguments: StoreBackend.allCases)
    func namesAreUniqueWithoutRegardToCase(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let ann = try await world.register("ann")
        let core = try await world.createTeam("Core", by: ann)
        let web = try await world.createTeam("Web", by: ann)
        await #expect(throws: DomainError.conflict("A team with that name exists")) { try await world.createTeam("CORE", by: ann) }
        await #expect(throws: DomainError.conflict("A team with that name exists")) {
            try await world.teams.update(teamID: web.id, with: try decode(#"{"name": "core"}"#), by: ann)
        }
        // Its own name in another case is no clash.
        let renamed = try await world.teams.update(teamID: core.id, with: try decode(#"{"name": "CORE", "description": "d"}"#), by: ann)
        #expect(try await world.teams.team(id: core.id, for: ann) == renamed)
        #expect(renamed.name == "CORE")
        #expect(renamed.description == "d")
        #expect(renamed.memberCount == 1)
        #expect(renamed.role == .admin)
        #expect(renamed.createdBy == ann.id)
    }

    @Test(arguments: StoreBackend.allCases)
    func theLastAdminStays(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob) = (try await world.register("ann"), try await world.register("bob"))
        let team = try await world.createTeam("Admins", by: ann)
        try await world.addMember(bob, to: team, by: ann)
        let lastAdmin = DomainError.conflict("A team keeps at least one admin; make someone else admin first")
        await #expect(throws: lastAdmin) {
            try await world.teams.changeRole(try decode(#"{"role": "member"}"#), of: ann.id, teamID: team.id, by: ann)
        }
        await #expect(throws: lastAdmin) { try await world.teams.removeMember(ann.id, teamID: team.id, by: ann) }
        #expect(try await world.store.teamRole(userID: ann.id, teamID: team.id) == .admin)

        let promoted = try await world.teams.changeRole(try decode(#"{"role": "admin"}"#), of: bob.id, teamID: team.id, by: ann)
        #expect(promoted.role == .admin)
        #expect(promoted.username == "bob")
        try await world.teams.removeMember(ann.id, teamID: team.id, by: ann)
        #expect(try await world.store.teamRole(userID: ann.id, teamID: team.id) == nil)
        await #expect(throws: DomainError.notFound("No such member")) {
            try await world.teams.changeRole(try decode(#"{"role": "member"}"#), of: ann.id, teamID: team.id, by: bob)
        }
        #expect(world.publisher.accessChanges == [.user(id: ann.id)])
    }

    @Test(arguments: StoreBackend.allCases)
    func theSizeLimitHoldsSequentiallyAndInParallel(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend, maxTeamSize: 3)
        var users: [User] = []
        for name in ["ann", "bob", "cat", "dan", "eve", "fay", "gus"] { users.append(try await world.register(name)) }
        let small = try await world.createTeam("Small", by: users[0])
        try await world.addMember(users[1], to: small, by: users[0])
        await #expect(throws: DomainError.conflict("That user is already a member")) { try await world.addMember(users[1], to: small, by: users[0]) }
        try await world.addMember(users[2], to: small, by: users[0])
        await #expect(throws: DomainError.conflict("The team has 3 members, the most allowed")) {
            try await world.addMember(users[3], to: small, by: users[0])
        }

        let parallel = try await world.createTeam("Parallel", by: users[0])
        let (admin, candidates) = (users[0], users.dropFirst())
        let added = await withTaskGroup(of: Bool.self) { group in
            for user in candidates { group.addTask { (try? await world.addMember(user, to: parallel, by: admin)) != nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(added == 2)
        #expect(try await world.teams.team(id: parallel.id, for: users[0]).memberCount == 3)
    }

    @Test(arguments: StoreBackend.allCases)
    func membersSeeTheTeamAndAdminsManageIt(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob, cat) = (try await world.register("ann"), try await world.register("bob"), try await world.register("cat"))
        let team = try await world.createTeam("Private", by: ann)
        let member = try await world.addMember(bob, to: team, role: .viewer, by: ann)
        #expect(member.role == .viewer)
        #expect(member.username == "bob")

        await #expect(throws: DomainError.notFound("Team not found")) { try await world.teams.team(id: team.id, for: cat) }
        await #expect(throws: DomainError.notFound("Team not found")) {
            try await world.teams.members(teamID: team.id, for: cat, page: PageRequest())
        }
        #expect(try await world.store.team(id: team.id, for: cat.id)?.role == nil)
        #expect(try await world.store.team(id: "no-such-team", for: ann.id) == nil)
        let seen = try await world.teams.team(id: team.id, for: bob)
        #expect(seen.role == .viewer)
        #expect(seen.memberCount == 2)
        await #expect(throws: DomainError.forbidden("Only the team's admins may do this")) { try await world.addMember(cat, to: team, by: bob) }
        // A member may leave on their own.
        try await world.teams.removeMember(bob.id, teamID: team.id, by: bob)
        #expect(try await world.teams.team(id: team.id, for: ann).memberCount == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func membersAndTeamsPageByID(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        var users: [User] = []
        for name in ["ann", "bob", "cat", "dan", "eve"] { users.append(try await world.register(name)) }
        let team = try await world.createTeam("Everyone", by: users[0])
        for user in users.dropFirst() { try await world.addMember(user, to: team, by: users[0]) }
        let members = try await allPages(limit: 2) { try await world.teams.members(teamID: team.id, for: users[1], page: $0) }
        #expect(members.map(\.count) == [2, 2, 1])
        #expect(members.flatMap { $0.map(\.userID) } == users.map(\.id).sorted())
        #expect(Dictionary(uniqueKeysWithValues: members.flatMap { $0.map { ($0.userID, $0.role) } })[users[0].id] == .admin)

        var teams = [team]
        for name in ["Two", "Three", "Four"] { teams.append(try await world.createTeam(name, by: users[1])) }
        _ = try await world.createTeam("Not Ann's", by: users[2])
        try await world.addMember(users[0], to: teams[1], role: .viewer, by: users[1])
        let annTeams = try await allPages(limit: 1) { try await world.teams.teams(of: users[0], page: $0) }
        #expect(annTeams.flatMap { $0.map(\.id) } == [teams[0].id, teams[1].id].sorted())
        #expect(annTeams.flatMap { $0 }.first { $0.id == teams[1].id }?.role == .viewer)
        let bobTeams = try await allPages(limit: 3) { try await world.teams.teams(of: users[1], page: $0) }
        #expect(bobTeams.flatMap { $0.map(\.id) } == teams.map(\.id).sorted())
        #expect(bobTeams.flatMap { $0 }.first { $0.id == teams[0].id }?.role == .member)
    }

    @Test(arguments: StoreBackend.allCases)
    func deletingATeamUnsharesItsSessionsAndDropsItsInsights(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob) = (try await world.register("ann"), try await world.register("bob"))
        let team = try await world.createTeam("Gone", by: ann)
        try await world.addMember(bob, to: team, by: ann)
        let teamSession = try await world.createSession(by: ann) {
            $0.teamID = team.id
            $0.visibility = .team
        }
        let publicSession = try await world.createSession(by: ann) {
            $0.teamID = team.id
            $0.visibility = .public
        }
        let teamInsight = try await world.insights.create(
            try decode(#"{"title": "team", "content": "c", "insight_type": "pattern", "team_id": "\#(team.id)"}"#), by: bob
        )
        let everyone = try await world.insights.create(try decode(#"{"title": "all", "content": "c", "insight_type": "pattern"}"#), by: bob)
        #expect(try await world.sessions.session(id: teamSession.id, for: bob).role == .viewer)
        _ = try await world.insights.vote(id: teamInsight.id, by: ann, upvote: true)

        try await world.teams.delete(teamID: team.id, by: ann)
        guard case .team(let id, let sessionIDs) = world.publisher.accessChanges.last else {
            Issue.record("no team access change: \(world.publisher.accessChanges)")
            return
        }
        #expect(id == team.id)
        #expect(Set(sessionIDs) == [teamSession.id, publicSession.id])
        // Its sessions stay, unshared from it: one with team visibility is its owner's and participants' alone.
        let kept = try await world.sessions.session(id: teamSession.id, for: ann)
        #expect(kept.teamID == nil)
        #expect(kept.visibility == .team)
        await #expect(throws: DomainError.notFound("Session not found")) { try await world.sessions.session(id: teamSession.id, for: bob) }
        #expect(try await world.sessions.session(id: publicSession.id, for: bob).teamID == nil)
        await #expect(throws: DomainError.notFound("Insight not found")) { try await world.insights.read(id: teamInsight.id, by: ann) }
        #expect(try await world.insights.list(for: ann, matching: InsightQuery(), page: PageRequest()).items.map(\.id) == [everyone.id])
        #expect(try await world.store.teamRole(userID: bob.id, teamID: team.id) == nil)
        #expect(try await world.teams.teams(of: bob, page: PageRequest()).items.isEmpty)
        #expect(try await world.analytics.personal(for: bob).upvotesReceived == 0)
    }
}
