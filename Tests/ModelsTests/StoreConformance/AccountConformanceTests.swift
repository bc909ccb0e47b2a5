import Foundation
import Models
import Testing

@Suite("Store conformance: accounts")
struct AccountConformanceTests {
    @Test(arguments: StoreBackend.allCases)
    func loginsAndUniquenessIgnoreCase(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let ann = try await world.accounts.register(Registration(email: "Ann@Example.com", username: "Ann", password: "password-1"))
        #expect(try await world.accounts.authenticate(login: "aNN", password: "password-1").id == ann.id)
        #expect(try await world.accounts.authenticate(login: "ANN@example.COM", password: "password-1").id == ann.id)
        #expect(try await world.store.user(id: ann.id) == ann)

        await #expect(throws: DomainError.conflict("That username is already registered")) {
            try await world.accounts.register(Registration(email: "other@example.com", username: "ANN", password: "password-1"))
        }
        await #expect(throws: DomainError.conflict("That email is already registered")) {
            try await world.accounts.register(Registration(email: "ann@EXAMPLE.com", username: "annie", password: "password-1"))
        }
        // Both taken: the username is named.
        await #expect(throws: DomainError.conflict("That username is already registered")) {
            try await world.accounts.register(Registration(email: "ann@example.com", username: "ann", password: "password-1"))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func usersAreFoundByIDUsernameOrEmailWhileActive(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let bob = try await world.register("bob")
        #expect(try await world.store.userID(matching: .id(bob.id)) == bob.id)
        #expect(try await world.store.userID(matching: .username("BOB")) == bob.id)
        #expect(try await world.store.userID(matching: .email("Bob@Example.com")) == bob.id)
        #expect(try await world.store.userID(matching: .id(bob.id.uppercased())) == nil)
        #expect(try await world.store.userID(matching: .username("bo")) == nil)

        var inactive = bob
        inactive.isActive = false
        #expect(try await world.store.updateUser(inactive, passwordHash: nil))
        #expect(try await world.store.userID(matching: .username("bob")) == nil)
        #expect(try await world.accounts.activeUser(id: bob.id) == nil)
        await #expect(throws: DomainError.unauthorized("Incorrect username or password")) {
            try await world.accounts.authenticate(login: "bob", password: "password-1")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aProfileUpdateKeepsIdentityAndCountsPasswordChanges(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let cat = try await world.register("cat")
        world.clock.advance(by: 60)
        let updated = try await world.accounts.updateProfile(
            of: cat, with: ProfileUpdate(fullName: "Cat", preferences: ["theme": .string("dark"), "size": .number(12)])
        )
        var stored = try #require(try await world.store.user(id: cat.id))
        #expect(stored == updated)
        #expect(stored.updatedAt == cat.updatedAt.addingTimeInterval(60))
        #expect(stored.credentialsGeneration == 0)

        // The store sets the credentials generation itself; email and username are not the profile's to change.
        var forged = updated
        forged.email = "forged@example.com"
        forged.credentialsGeneration = 7
        #expect(try await world.store.updateUser(forged, passwordHash: "plain:password-2"))
        stored = try #require(try await world.store.user(id: cat.id))
        #expect(stored.email == "cat@example.com")
        #expect(stored.credentialsGeneration == 1)
        #expect(try await world.store.passwordHash(userID: cat.id) == "plain:password-2")

        let ghost = User(
            id: "no-such-user", email: "g@example.com", username: "ghost", fullName: nil, preferences: [:], isActive: true,
            createdAt: cat.createdAt, updatedAt: cat.updatedAt
        )
        #expect(try await !world.store.updateUser(ghost, passwordHash: nil))
    }

    @Test(arguments: StoreBackend.allCases)
    func refreshTokensRotateOnceAndReuseRevokesTheLogin(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let dan = try await world.register("dan")
        let first = try await world.accounts.startRefreshFamily(for: dan)
        let (user, second) = try await world.accounts.rotate(refreshToken: first)
        #expect(user.id == dan.id)
        await #expect(throws: DomainError.unauthorized("Refresh token already used; sign in again")) {
            try await world.accounts.rotate(refreshToken: first)
        }
        // The reuse revoked the whole login, the live token with it.
        await #expect(throws: DomainError.unauthorized("Refresh token already used; sign in again")) {
            try await world.accounts.rotate(refreshToken: second)
        }

        let other = try await world.accounts.startRefreshFamily(for: dan)
        try await world.accounts.logout(refreshToken: other)
        await #expect(throws: DomainError.unauthorized("Refresh token already used; sign in again")) {
            try await world.accounts.rotate(refreshToken: other)
        }
        await #expect(throws: DomainError.unauthorized("Invalid or expired refresh token")) {
            try await world.accounts.rotate(refreshToken: "never-issued")
        }
        #expect(try await !world.store.revokeRefreshTokenFamily(hash: "never-issued", now: world.clock.now))

        let expiring = try await world.accounts.startRefreshFamily(for: dan)
        world.clock.advance(by: 3600)
        await #expect(throws: DomainError.unauthorized("Invalid or expired refresh token")) {
            try await world.accounts.rotate(refreshToken: expiring)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func parallelRotationsOfOneTokenLetOneThrough(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let eve = try await world.register("eve")
        let token = try await world.accounts.startRefreshFamily(for: eve)
        let rotated = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 { group.addTask { (try? await world.accounts.rotate(refreshToken: token)) != nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(rotated == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func aPasswordChangeEndsEveryLogin(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let fay = try await world.register("fay")
        let before = try await world.accounts.startRefreshFamily(for: fay)
        _ = try await world.accounts.updateProfile(of: fay, with: ProfileUpdate(currentPassword: "password-1", newPassword: "password-2"))
        await #expect(throws: DomainError.unauthorized("Refresh token already used; sign in again")) {
            try await world.accounts.rotate(refreshToken: before)
        }
        #expect(try await world.accounts.activeUser(id: fay.id, credentialsGeneration: 0) == nil)
        // A login that authenticated before the change but stored its token after it is refused too.
        let racing = try await world.accounts.startRefreshFamily(for: fay)
        await #expect(throws: DomainError.unauthorized("Invalid or expired refresh token")) {
            try await world.accounts.rotate(refreshToken: racing)
        }
        let fresh = try await world.accounts.authenticate(login: "fay", password: "password-2")
        #expect(
            try await world.accounts.rotate(refreshToken: try await world.accounts.startRefreshFamily(for: fresh)).user.credentialsGeneration == 1)
        #expect(world.publisher.accessChanges == [.credentialsChanged(userID: fay.id)])
    }

    @Test(arguments: StoreBackend.allCases)
    func expiredTokensArePurged(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let gus = try await world.register("gus")
        let spent = try await world.accounts.startRefreshFamily(for: gus)
        _ = try await world.accounts.rotate(refreshToken: spent)
        world.clock.advance(by: 1800)
        let live = try await world.accounts.startRefreshFamily(for: gus)
        world.clock.advance(by: 1801)
        // The spent token and its replacement expired; the later login's token has half an hour left.
        #expect(try await world.store.deleteRefreshTokens(expiredBefore: world.clock.now) == 2)
        #expect(try await world.store.deleteRefreshTokens(expiredBefore: world.clock.now) == 0)
        #expect(try await world.accounts.rotate(refreshToken: live).user.id == gus.id)
    }
}
