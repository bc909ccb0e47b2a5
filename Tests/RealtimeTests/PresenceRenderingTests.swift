import Foundation
import Models
import Testing

@testable import Realtime

/// `connected` lists a room from each user's cached text: every change to a user's presence must show in the next.
@Suite("Presence rendering")
struct PresenceRenderingTests {
    let registry = PresenceRegistry()

    static func user(_ id: String, _ username: String) -> User {
        User(
            id: id, email: "\(username)@example.com", username: username, fullName: nil, preferences: [:], isActive: true, createdAt: Date(),
            updatedAt: Date())
    }

    /// What `connected` would list, against the same users rendered from scratch.
    func expectCurrent(_ comment: Comment) {
        let fresh = self.registry.users(sessionID: "s1").map(RenderedPresence.init)
        let cached = self.registry.renderedUsers(sessionID: "s1")
        #expect(cached.map(\.user) == fresh.map(\.user), comment)
        #expect(cached.map(\.participant) == fresh.map(\.participant), comment)
        #expect(cached.map(\.status) == fresh.map(\.status), comment)
    }

    @Test func everyChangeOfAPresentUserShowsInTheNextListing() {
        let (ann, bob) = (Self.user("u-ann", "ann"), Self.user("u-bob", "bob"))
        _ = self.registry.attach(sessionID: "s1", user: bob, role: .viewer, connectionID: 1)
        _ = self.registry.attach(sessionID: "s1", user: ann, role: .editor, connectionID: 2)
        self.expectCurrent("first listing")
        #expect(self.registry.renderedUsers(sessionID: "s1").map(\.username) == ["ann", "bob"])

        _ = self.registry.attach(sessionID: "s1", user: ann, role: .editor, connectionID: 3)
        self.expectCurrent("a second connection")
        self.registry.touch(sessionID: "s1", userID: "u-ann") { $0.status = .away }
        self.expectCurrent("a status")
        self.registry.touch(sessionID: "s1", userID: "u-bob") { $0.cursor = .object(["file": .string("a.py"), "line": .number(3)]) }
        self.expectCurrent("a cursor")
        self.registry.setRole(.host, sessionID: "s1", userID: "u-bob")
        self.expectCurrent("a role")
        _ = self.registry.detach(sessionID: "s1", userID: "u-ann", connectionID: 2)
        self.expectCurrent("a connection closed")
        _ = self.registry.expire(silentSince: .distantFuture)
        #expect(self.registry.renderedUsers(sessionID: "s1").isEmpty, "users gone stale are not listed")
    }
}
