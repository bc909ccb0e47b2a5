import Foundation
import Models
import Testing

@Suite("Store conformance: participants")
struct ParticipantConformanceTests {
    @Test(arguments: StoreBackend.allCases)
    func hostsInviteReroleAndRemove(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob, cat) = (try await world.register("ann"), try await world.register("bob"), try await world.register("cat"))
        let session = try await world.createSession(by: ann)
        let invited = try await world.participants.invite(try decode(#"{"username": "BOB", "role": "editor"}"#), sessionID: session.id, by: ann)
        #expect(invited.userID == bob.id)
        #expect(invited.username == "bob")
        #expect(invited.role == .editor)
        #expect(invited.invitedBy == ann.id)
        #expect(!invited.isActive)
        #expect(invited.leftAt == nil)
        await #expect(throws: DomainError.conflict("That user already takes part in this session")) {
            try await world.invite(bob, to: session, as: .viewer, by: ann)
        }
        await #expect(throws: DomainError.invalid("username", "names no user")) {
            try await world.participants.invite(try decode(#"{"username": "nobody", "role": "viewer"}"#), sessionID: session.id, by: ann)
        }
        await #expect(throws: DomainError.forbidden("Your role in this session (editor) does not allow this")) {
            try await world.invite(cat, to: session, as: .viewer, by: bob)
        }
        await #expect(throws: DomainError.conflict("The session's owner is always its host")) {
            try await world.participants.changeRole(try decode(#"{"role": "viewer"}"#), of: ann.id, sessionID: session.id, by: ann)
        }

        let demoted = try await world.participants.changeRole(try decode(#"{"role": "viewer"}"#), of: bob.id, sessionID: session.id, by: ann)
        #expect(demoted.role == .viewer)
        #expect(try await world.store.participant(sessionID: session.id, userID: bob.id)?.role == .viewer)
        await #expect(throws: DomainError.forbidden("Your role in this session (viewer) does not allow this")) {
            try await world.post("still here?", in: session, by: bob)
        }
        // Anyone may leave; a private session is then out of sight.
        try await world.participants.remove(userID: bob.id, sessionID: session.id, by: bob)
        await #expect(throws: DomainError.notFound("Session not found")) { try await world.sessions.session(id: session.id, for: bob) }
        await #expect(throws: DomainError.notFound("No such participant")) {
            try await world.participants.remove(userID: bob.id, sessionID: session.id, by: ann)
        }

        let log = try await world.log(of: session, for: ann, type: .participantUpdated)
        #expect(
            log.map(\.payload) == [
                ["user_id": .string(bob.id), "role": .string("editor")],
                ["user_id": .string(bob.id), "role": .string("viewer")],
                ["user_id": .string(bob.id), "role": .null],
            ])
        #expect(log.map(\.actorID) == [ann.id, ann.id, bob.id])
        #expect(world.publisher.accessChanges == Array(repeating: .session(id: session.id), count: 3))
    }

    @Test(arguments: StoreBackend.allCases)
    func participantsAreListedInTheOrderTheyJoined(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        var users: [User] = []
        for name in ["zed", "yan", "xia", "wes", "val"] { users.append(try await world.register(name)) }
        let session = try await world.createSession(by: users[0])
        for user in users.dropFirst() { try await world.invite(user, to: session, as: .viewer, by: users[0]) }
        let pages = try await allPages(limit: 2) { try await world.participants.list(sessionID: session.id, for: users[3], page: $0) }
        #expect(pages.map(\.count) == [2, 2, 1])
        #expect(pages.flatMap { $0.map(\.username) } == ["zed", "yan", "xia", "wes", "val"])
        #expect(pages.flatMap { $0.map(\.role) } == [.host, .viewer, .viewer, .viewer, .viewer])
        let host = try #require(pages.first?.first)
        #expect(host.invitedBy == nil)
        #expect(host.joinedAt == session.createdAt)
    }

    @Test(arguments: StoreBackend.allCases)
    func presenceIsLoggedForParticipantsOnly(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob, cat) = (try await world.register("ann"), try await world.register("bob"), try await world.register("cat"))
        let session = try await world.createSession(by: ann) { $0.visibility = .public }
        try await world.invite(bob, to: session, as: .editor, by: ann)

        let joined = try #require(try await world.participants.recordJoin(sessionID: session.id, userID: bob.id, user: .string("bob")))
        #expect(joined.type == .userJoined)
        #expect(joined.payload == ["user": .string("bob")])
        var bobs = try #require(try await world.store.participant(sessionID: session.id, userID: bob.id))
        #expect(bobs.isActive)
        #expect(bobs.lastSeen != nil)
        #expect(bobs.leftAt == nil)

        let left = try #require(try await world.participants.recordLeave(sessionID: session.id, userID: bob.id, username: bob.username))
        #expect(left.type == .userLeft)
        #expect(left.payload["username"] == .string(bob.username))
        #expect(left.id > joined.id)
        bobs = try #require(try await world.store.participant(sessionID: session.id, userID: bob.id))
        #expect(!bobs.isActive)
        #expect(bobs.leftAt == bobs.lastSeen)
        #expect(bobs.leftAt != nil)

        // A passer-by of a public session is announced live, never logged, and gains no record.
        #expect(try await world.participants.recordJoin(sessionID: session.id, userID: cat.id, user: .string("cat")) == nil)
        #expect(try await world.store.participant(sessionID: session.id, userID: cat.id) == nil)
        let log = try await world.log(of: session, for: ann)
        #expect(log.map(\.type) == [.participantUpdated, .userJoined, .userLeft])
        #expect(world.publisher.published.map(\.id) == log.map(\.id))
    }
}
