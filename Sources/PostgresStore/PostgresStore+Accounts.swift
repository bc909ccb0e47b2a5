import Foundation
import Models
import PostgresNIO

extension PostgresStore {
    public func insertUser(_ user: User, passwordHash: String) async throws {
        let preferences = try Self.encodePreferences(user.preferences)
        do {
            try await self.write { transaction in
                try await transaction.execute(
                    """
                    INSERT INTO users (id, email, username, password_hash, full_name, preferences, is_active, created_at, updated_at)
                    VALUES (\(user.id), \(user.email), \(user.username), \(passwordHash), \(user.fullName), \(preferences), \(user.isActive),
                        \(user.createdAt), \(user.updatedAt))
                    """
                )
            }
        } catch  where PostgresFailure.sqlState(of: error) == "23505" {
            // Both taken: the username is named, as SQLite names it (PostgreSQL checks the email index first).
            var field = "username"
            if PostgresFailure.constraint(of: error) == "users_email",
                try await self.row("SELECT 1 FROM users WHERE lower(username) = lower(\(user.username))") == nil
            {
                field = "email"
            }
            throw DomainError.conflict("That \(field) is already registered")
        }
    }

    public func user(id: String) async throws -> User? {
        try await self.row("SELECT * FROM users WHERE id = \(id)").map(Self.user(from:))
    }

    public func credentials(login: String) async throws -> (user: User, passwordHash: String)? {
        guard let row = try await self.row("SELECT * FROM users WHERE lower(username) = lower(\(login)) OR lower(email) = lower(\(login)) LIMIT 1")
        else { return nil }
        return (try Self.user(from: row), try row.get("password_hash"))
    }

    public func passwordHash(userID: String) async throws -> String? {
        try await self.row("SELECT password_hash FROM users WHERE id = \(userID)")?.get("password_hash")
    }

    public func updateUser(_ user: User, passwordHash: String?) async throws -> Bool {
        let preferences = try Self.encodePreferences(user.preferences)
        return try await self.write { transaction in
            let changed = try await transaction.changedRows(
                """
                UPDATE users SET full_name = \(user.fullName), preferences = \(preferences), is_active = \(user.isActive),
                    updated_at = \(user.updatedAt), password_hash = COALESCE(\(passwordHash), password_hash),
                    credentials_generation = credentials_generation + (CASE WHEN \(passwordHash)::text IS NULL THEN 0 ELSE 1 END)
                WHERE id = \(user.id) RETURNING 1
                """
            )
            guard changed > 0 else { return false }
            if passwordHash != nil {
                try await transaction.execute(
                    "UPDATE refresh_tokens SET revoked_at = \(user.updatedAt) WHERE user_id = \(user.id) AND revoked_at IS NULL")
            }
            return true
        }
    }

    static func user(from row: PostgresRandomAccessRow) throws -> User {
        User(
            id: try row.get("id"),
            email: try row.get("email"),
            username: try row.get("username"),
            fullName: try row.get("full_name"),
            preferences: try WireFormat.makeDecoder().decode([String: JSONValue].self, from: Data(try row.get("preferences", as: String.self).utf8)),
            isActive: try row.get("is_active"),
            createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"),
            credentialsGeneration: try row.get("credentials_generation")
        )
    }

    private static func encodePreferences(_ preferences: [String: JSONValue]) throws -> String {
        String(decoding: try WireFormat.makeEncoder().encode(preferences), as: UTF8.self)
    }

    // MARK: Refresh tokens

    public func insertRefreshToken(_ record: RefreshTokenRecord) async throws {
        try await self.write { transaction in try await Self.insert(record, in: transaction) }
    }

    public func rotateRefreshToken(
        hash: String,
        now: Date,
        familyStartedAfter: Date,
        makeReplacement: @escaping @Sendable (RefreshFamily) -> RefreshTokenRecord
    ) async throws -> RefreshRotation {
        try await self.write { transaction in
            // FOR UPDATE: a second node rotating the same token waits here, then sees it spent.
            guard
                let row = try await transaction.row(
                    """
                    SELECT t.*, u.credentials_generation AS current_generation FROM refresh_tokens t JOIN users u ON u.id = t.user_id
                    WHERE t.token_hash = \(hash) FOR UPDATE OF t
                    """
                )
            else { return .invalid }
            let familyID: String = try row.get("family_id")
            if try row.optionalDate("used_at") != nil || row.optionalDate("revoked_at") != nil {
                try await Self.revokeFamily(familyID, now: now, in: transaction)
                return .reused
            }
            guard try row.date("expires_at") > now else { return .invalid }
            let family = RefreshFamily(
                id: familyID, userID: try row.get("user_id"), startedAt: try row.date("family_started_at"),
                credentialsGeneration: try row.get("credentials_generation")
            )
            guard family.startedAt > familyStartedAfter, family.credentialsGeneration == (try row.get("current_generation", as: Int.self)) else {
                try await Self.revokeFamily(familyID, now: now, in: transaction)
                return .invalid
            }
            try await transaction.execute("UPDATE refresh_tokens SET used_at = \(now) WHERE token_hash = \(hash)")
            try await Self.insert(makeReplacement(family), in: transaction)
            return .rotated(userID: family.userID)
        }
    }

    public func revokeRefreshTokenFamily(hash: String, now: Date) async throws -> Bool {
        try await self.write { transaction in
            guard
                let familyID: String = try await transaction.row("SELECT family_id FROM refresh_tokens WHERE token_hash = \(hash)")?.get("family_id")
            else { return false }
            try await Self.revokeFamily(familyID, now: now, in: transaction)
            return true
        }
    }

    public func deleteRefreshTokens(expiredBefore date: Date) async throws -> Int {
        try await self.write { transaction in
            try await transaction.changedRows("DELETE FROM refresh_tokens WHERE expires_at < \(date) RETURNING 1")
        }
    }

    private static func insert(_ record: RefreshTokenRecord, in transaction: PostgresTransaction) async throws {
        try await transaction.execute(
            """
            INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at, family_started_at, credentials_generation)
            VALUES (\(record.tokenHash), \(record.family.userID), \(record.family.id), \(record.createdAt), \(record.expiresAt),
                \(record.family.startedAt), \(record.family.credentialsGeneration))
            """
        )
    }

    private static func revokeFamily(_ familyID: String, now: Date, in transaction: PostgresTransaction) async throws {
        try await transaction.execute("UPDATE refresh_tokens SET revoked_at = \(now) WHERE family_id = \(familyID) AND revoked_at IS NULL")
    }
}
