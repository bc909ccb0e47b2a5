import Foundation
import Models
import Synchronization
import Testing

/// A hasher for tests: fast and transparent, so the tests exercise the rules, not bcrypt.
struct PlainTextHasher: PasswordHasher {
    let decoyHash = "plain:decoy"
    func hash(_ password: String) async throws -> String { "plain:\(password)" }
    func verify(_ password: String, against hash: String) async throws -> Bool { hash == "plain:\(password)" }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { self.current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { self.current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("AccountService over the in-memory SQLite store")
struct AccountServiceTests {
    let clock = TestClock()
    let store: SQLiteStore
    let service: AccountService

    init() throws {
        let clock = self.clock
        self.store = try SQLiteStore.inMemory()
        self.service = AccountService(
            store: self.store,
            hasher: PlainTextHasher(),
            refreshTokenLifetime: 3600,
            now: { clock.now }
        )
    }

    @Test func registersWithNormalisedEmail() async throws {
        let user = try await self.service.register(Registration(email: "Ann@Example.COM", username: "ann", password: "password-1"))
        #expect(user.email == "ann@example.com")
        #expect(user.createdAt == self.clock.now)
        let found = try await self.service.authenticate(login: "ANN@example.com", password: "password-1")
        #expect(found.id == user.id)
    }

    @Test func reportsEveryInvalidFieldAtOnce() async throws {
        let error = await #expect(throws: DomainError.self) {
            try await self.service.register(Registration(email: "nope", username: "a", password: "1234567", fullName: nil))
        }
        guard case .invalid(let problems) = error else {
            Issue.record("expected invalid, got \(String(describing: error))")
            return
        }
        #expect(problems.map(\.field) == ["email", "username", "password"])
    }

    @Test(arguments: ["a@b", "@b.co", "a@.co", "a@b.", "a b@c.co", "a@b@c.co", "a@b..co"])
    func refusesMisshapenEmail(_ email: String) async throws {
        await #expect(throws: DomainError.self) {
            try await self.service.register(Registration(email: email, username: "valid_name", password: "password-1"))
        }
    }

    /// What the contract's pattern allows is accepted, judged by scalars: an emoji modifier right after the '@'
    /// joins it into one Character, and splitting by Characters once refused this (schemathesis found it).
    @Test(arguments: ["\u{761EA}@\u{1F3FB}.00", "ann@exämple.de", "a.b+c@d.e.f"])
    func acceptsWhatThePatternAllows(_ email: String) async throws {
        let user = try await self.service.register(Registration(email: email, username: "valid_name", password: "password-1"))
        #expect(user.email == email.lowercased())
    }

    @Test func duplicateIsAConflictWhateverTheCase() async throws {
        _ = try await self.service.register(Registration(email: "x@example.com", username: "Xavier", password: "password-1"))
        await #expect(throws: DomainError.conflict("That username is already registered")) {
            try await self.service.register(Registration(email: "y@example.com", username: "xavier", password: "password-1"))
        }
    }

    @Test func failedLoginsLookAlike() async throws {
        _ = try await self.service.register(Registration(email: "z@example.com", username: "zed", password: "password-1"))
        await #expect(throws: DomainError.unauthorized("Incorrect username or password")) {
            try await self.service.authenticate(login: "zed", password: "wrong-password")
        }
        await #expect(throws: DomainError.unauthorized("Incorrect username or password")) {
            try await self.service.authenticate(login: "nobody", password: "wrong-password")
        }
    }

    @Test func refreshTokensRotateExpireAndDetectReuse() async throws {
        let user = try await self.service.register(Registration(email: "r@example.com", username: "rita", password: "password-1"))
        let first = try await self.service.startRefreshFamily(for: user)
        let (rotatedUser, second) = try await self.service.rotate(refreshToken: first)
        #expect(rotatedUser.id == user.id)
        await #expect(throws: DomainError.self) { try await self.service.rotate(refreshToken: first) }
        // The reuse above revoked the family, so the live token died with it.
        await #expect(throws: DomainError.self) { try await self.service.rotate(refreshToken: second) }

        let third = try await self.service.startRefreshFamily(for: user)
        self.clock.advance(by: 3601)
        await #expect(throws: DomainError.unauthorized("Invalid or expired refresh token")) {
            try await self.service.rotate(refreshToken: third)
        }
    }

    @Test func aLoginEndsAtTheFamilysMaximumAgeHoweverOftenItIsRefreshed() async throws {
        let clock = self.clock
        let service = AccountService(
            store: self.store, hasher: PlainTextHasher(), refreshTokenLifetime: 3600, refreshFamilyLifetime: 2 * 3600, now: { clock.now }
        )
        let user = try await service.register(Registration(email: "f@example.com", username: "fay", password: "password-1"))
        var token = try await service.startRefreshFamily(for: user)
        for _ in 0..<2 {
            self.clock.advance(by: 3000)
            token = try await service.rotate(refreshToken: token).refreshToken
        }
        self.clock.advance(by: 3000)
        // The token is within its hour, but the login began 2.5 hours ago: longer than a login may last.
        await #expect(throws: DomainError.unauthorized("Invalid or expired refresh token")) {
            try await service.rotate(refreshToken: token)
        }
        let again = try await service.startRefreshFamily(for: user)
        #expect(try await service.rotate(refreshToken: again).user.id == user.id)
    }

    @Test func aPasswordChangeInvalidatesTokensOfEarlierGenerations() async throws {
        let user = try await self.service.register(Registration(email: "g@example.com", username: "gus", password: "password-1"))
        #expect(try await self.service.activeUser(id: user.id, credentialsGeneration: 0) != nil)
        _ = try await self.service.updateProfile(of: user, with: ProfileUpdate(currentPassword: "password-1", newPassword: "password-2"))
        #expect(try await self.service.activeUser(id: user.id, credentialsGeneration: 0) == nil)
        #expect(try await self.service.activeUser(id: user.id, credentialsGeneration: 1) != nil)
        // A profile change without a new password leaves tokens alone.
        _ = try await self.service.updateProfile(of: user, with: ProfileUpdate(fullName: "Gus"))
        #expect(try await self.service.activeUser(id: user.id, credentialsGeneration: 1) != nil)
    }

    @Test func aLoginRacingAPasswordChangeDoesNotOutliveIt() async throws {
        let user = try await self.service.register(Registration(email: "h@example.com", username: "hal", password: "password-1"))
        // Authenticated with the old password, the change commits, then the login's family is stored.
        let authenticated = try await self.service.authenticate(login: "hal", password: "password-1")
        _ = try await self.service.updateProfile(of: user, with: ProfileUpdate(currentPassword: "password-1", newPassword: "password-2"))
        let racing = try await self.service.startRefreshFamily(for: authenticated)
        await #expect(throws: DomainError.unauthorized("Invalid or expired refresh token")) {
            try await self.service.rotate(refreshToken: racing)
        }
        let fresh = try await self.service.startRefreshFamily(for: try await self.service.authenticate(login: "hal", password: "password-2"))
        #expect(try await self.service.rotate(refreshToken: fresh).user.credentialsGeneration == 1)
    }

    @Test func loginsPurgeExpiredRefreshTokens() async throws {
        let user = try await self.service.register(Registration(email: "e@example.com", username: "eve", password: "password-1"))
        let spent = try await self.service.startRefreshFamily(for: user)
        _ = try await self.service.rotate(refreshToken: spent)
        _ = try await self.service.startRefreshFamily(for: user)
        self.clock.advance(by: 3601)
        #expect(try await self.store.deleteRefreshTokens(expiredBefore: self.clock.now) == 3)

        _ = try await self.service.startRefreshFamily(for: user)
        self.clock.advance(by: 3601)
        let live = try await self.service.startRefreshFamily(for: user)
        // That login removed the expired one; the new token is untouched and still works.
        #expect(try await self.store.deleteRefreshTokens(expiredBefore: self.clock.now) == 0)
        _ = try await self.service.rotate(refreshToken: live)
    }

    @Test func profileUpdateChecksTheCurrentPassword() async throws {
        let user = try await self.service.register(Registration(email: "p@example.com", username: "pat", password: "password-1"))
        await #expect(throws: DomainError.forbidden("current_password is not your current password")) {
            try await self.service.updateProfile(of: user, with: ProfileUpdate(currentPassword: "guess-guess", newPassword: "password-2"))
        }
        self.clock.advance(by: 5)
        let updated = try await self.service.updateProfile(
            of: user,
            with: ProfileUpdate(fullName: "Pat", preferences: ["theme": .string("dark")], currentPassword: "password-1", newPassword: "password-2")
        )
        #expect(updated.fullName == "Pat")
        #expect(updated.updatedAt > user.updatedAt)
        _ = try await self.service.authenticate(login: "pat", password: "password-2")
        let cleared = try await self.service.updateProfile(of: updated, with: ProfileUpdate(fullName: .some(nil)))
        #expect(cleared.fullName == nil)
        #expect(cleared.preferences == ["theme": .string("dark")])
    }
}
