import Foundation

/// The persistence port. Domain services depend on it; SQL lives only in its backends.
public protocol Store: AccountStore, SessionStore, MembershipStore, ParticipantStore, TeamStore, MessageStore, InsightStore, AnalyticsStore {
    /// Throws when the database cannot answer a trivial query (used by `/ready`).
    func checkReachable() async throws
}

/// Users and their refresh tokens.
public protocol AccountStore: Sendable {
    /// Inserts a new user; throws `DomainError.conflict` when the email or username is taken.
    func insertUser(_ user: User, passwordHash: String) async throws
    func user(id: String) async throws -> User?
    /// Finds a user by username or email, case-insensitively, with the stored password hash.
    func credentials(login: String) async throws -> (user: User, passwordHash: String)?
    func passwordHash(userID: String) async throws -> String?
    /// Saves profile fields and, when given, a new password hash, which also revokes every refresh token of the
    /// user (other devices must sign in again). Returns false if the user is gone.
    func updateUser(_ user: User, passwordHash: String?) async throws -> Bool

    func insertRefreshToken(_ record: RefreshTokenRecord) async throws
    /// Atomically spends a live token of a login begun after `familyStartedAfter`, under the user's current
    /// credentials generation, and stores the replacement `makeReplacement` builds for its family (a login too old,
    /// or older than the last password change, is revoked).
    func rotateRefreshToken(
        hash: String,
        now: Date,
        familyStartedAfter: Date,
        makeReplacement: @escaping @Sendable (RefreshFamily) -> RefreshTokenRecord
    ) async throws -> RefreshRotation
    /// Revokes the family of the given token; returns false when no such token exists.
    func revokeRefreshTokenFamily(hash: String, now: Date) async throws -> Bool
    /// Deletes tokens that expired before `date` (spent, revoked or not: none can be used again); returns how many.
    func deleteRefreshTokens(expiredBefore date: Date) async throws -> Int
}
