import Foundation

/// Registration, login, refresh-token rotation and profile changes: every account rule lives here.
public struct AccountService: Sendable {
    let store: any AccountStore
    let hasher: any PasswordHasher
    let refreshTokenLifetime: TimeInterval
    let refreshFamilyLifetime: TimeInterval
    let publisher: any EventPublisher
    let now: @Sendable () -> Date

    /// One generic answer for every failed login, so it does not reveal which usernames exist.
    static let loginFailure = DomainError.unauthorized("Incorrect username or password")

    public init(
        store: any AccountStore,
        hasher: any PasswordHasher,
        refreshTokenLifetime: TimeInterval,
        refreshFamilyLifetime: TimeInterval = 90 * 86_400,
        publisher: any EventPublisher = DiscardingPublisher(),
        now: @escaping @Sendable () -> Date = WireFormat.now
    ) {
        self.store = store
        self.hasher = hasher
        self.refreshTokenLifetime = refreshTokenLifetime
        self.refreshFamilyLifetime = refreshFamilyLifetime
        self.publisher = publisher
        self.now = now
    }

    public func register(_ registration: Registration) async throws -> User {
        let problems = AccountValidation.problems(in: registration)
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        let now = self.now()
        let user = User(
            id: UUID().uuidString.lowercased(),
            email: registration.email.lowercased(),
            username: registration.username,
            fullName: registration.fullName,
            preferences: [:],
            isActive: true,
            createdAt: now,
            updatedAt: now
        )
        try await self.store.insertUser(user, passwordHash: try await self.hasher.hash(registration.password))
        return user
    }

    /// Checks a username (or email) and password; unknown users cost a hash check too, so timing reveals nothing.
    public func authenticate(login: String, password: String) async throws -> User {
        // bcrypt stops at a NUL byte: "secret\0anything" would pass for "secret". No stored password has a control
        // character, so such an input is refused without reaching the hasher.
        guard AccountValidation.passwordProblem(password, field: "password") == nil else { throw Self.loginFailure }
        guard let found = try await self.store.credentials(login: login) else {
            _ = try await self.hasher.verify(password, against: self.hasher.decoyHash)
            throw Self.loginFailure
        }
        guard try await self.hasher.verify(password, against: found.passwordHash), found.user.isActive else {
            throw Self.loginFailure
        }
        return found.user
    }

    /// The user an access token names, if that account still exists, is active, and has not changed its password since
    /// the token was issued (under `credentialsGeneration`).
    public func activeUser(id: String, credentialsGeneration: Int? = nil) async throws -> User? {
        guard let user = try await self.store.user(id: id), user.isActive else { return nil }
        if let credentialsGeneration, credentialsGeneration != user.credentialsGeneration { return nil }
        return user
    }

    /// Starts a refresh-token family for a fresh login and returns the opaque token.
    ///
    /// Each login also clears out expired tokens, so the table holds only what could still be presented.
    public func startRefreshFamily(for user: User) async throws -> String {
        let token = RefreshTokenSecret.generate()
        try await self.store.insertRefreshToken(
            self.record(
                token: token,
                family: RefreshFamily(
                    id: UUID().uuidString.lowercased(), userID: user.id, startedAt: self.now(), credentialsGeneration: user.credentialsGeneration
                )
            )
        )
        _ = try await self.store.deleteRefreshTokens(expiredBefore: self.now())
        return token
    }

    /// Spends a refresh token and returns its user with the token that replaces it. A token works once.
    public func rotate(refreshToken: String) async throws -> (user: User, refreshToken: String) {
        let replacement = RefreshTokenSecret.generate()
        let now = self.now()
        let outcome = try await self.store.rotateRefreshToken(
            hash: RefreshTokenSecret.hash(refreshToken),
            now: now,
            familyStartedAfter: now.addingTimeInterval(-self.refreshFamilyLifetime)
        ) { family in
            self.record(token: replacement, family: family)
        }
        switch outcome {
        case .rotated(let userID):
            guard let user = try await self.activeUser(id: userID) else { throw DomainError.unauthorized("Invalid refresh token") }
            return (user, replacement)
        case .reused:
            throw DomainError.unauthorized("Refresh token already used; sign in again")
        case .invalid:
            throw DomainError.unauthorized("Invalid or expired refresh token")
        }
    }

    /// Ends the login a refresh token belongs to. Unknown tokens are ignored: logging out twice is not an error.
    public func logout(refreshToken: String) async throws {
        _ = try await self.store.revokeRefreshTokenFamily(hash: RefreshTokenSecret.hash(refreshToken), now: self.now())
    }

    public func updateProfile(of user: User, with update: ProfileUpdate) async throws -> User {
        var updated = user
        var problems: [FieldProblem] = []
        if let fullName = update.fullName {
            if let problem = fullName.flatMap(AccountValidation.fullNameProblem) { problems.append(problem) }
            updated.fullName = fullName
        }
        if let preferences = update.preferences {
            let size = (try? WireFormat.makeEncoder().encode(preferences).count) ?? Int.max
            if size > AccountValidation.maxPreferencesBytes {
                problems.append(FieldProblem(field: "preferences", message: "must encode to at most 16 KiB"))
            }
            updated.preferences = preferences
        }
        problems += Self.passwordChangeProblems(update)
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        let newHash = try await self.verifiedNewPasswordHash(for: user, update: update)
        updated.updatedAt = self.now()
        guard try await self.store.updateUser(updated, passwordHash: newHash) else { throw DomainError.notFound("User not found") }
        // Every login made with the old password ends: its tokens are refused from now on, and live connections close.
        if newHash != nil { self.publisher.accessChanged(.credentialsChanged(userID: user.id)) }
        return updated
    }

    private static func passwordChangeProblems(_ update: ProfileUpdate) -> [FieldProblem] {
        guard let newPassword = update.newPassword else { return [] }
        if let problem = AccountValidation.passwordProblem(newPassword, field: "new_password") { return [problem] }
        guard update.currentPassword != nil else {
            return [FieldProblem(field: "current_password", message: "is required to change the password")]
        }
        return []
    }

    /// The hash of the new password, once the current one is proven; a wrong current password is a 403, not a field error,
    /// because the request is well-formed: the caller just may not do it.
    private func verifiedNewPasswordHash(for user: User, update: ProfileUpdate) async throws -> String? {
        guard let newPassword = update.newPassword, let current = update.currentPassword else { return nil }
        guard let storedHash = try await self.store.passwordHash(userID: user.id),
            try await self.hasher.verify(current, against: storedHash)
        else {
            throw DomainError.forbidden("current_password is not your current password")
        }
        return try await self.hasher.hash(newPassword)
    }

    private func record(token: String, family: RefreshFamily) -> RefreshTokenRecord {
        let now = self.now()
        return RefreshTokenRecord(
            tokenHash: RefreshTokenSecret.hash(token),
            family: family,
            createdAt: now,
            expiresAt: now.addingTimeInterval(self.refreshTokenLifetime)
        )
    }
}
