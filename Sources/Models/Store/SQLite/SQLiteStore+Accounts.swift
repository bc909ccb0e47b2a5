import Foundation
import GRDB

extension SQLiteStore {
    public func insertUser(_ user: User, passwordHash: String) async throws {
        let preferences = try Self.encodePreferences(user.preferences)
        do {
            try await self.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO users (id, email, username, password_hash, full_name, preferences, is_active, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        user.id, user.email, user.username, passwordHash, user.fullName, preferences, user.isActive,
                        user.createdAt, user.updatedAt,
                    ]
                )
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            let field = (error.message ?? "").contains("users.email") ? "email" : "username"
            throw DomainError.conflict("That \(field) is already registered")
        }
    }

    public func user(id: String) async throws -> User? {
        try await self.database.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id]).map(Self.user(from:))
        }
    }

    public func credentials(login: String) async throws -> (user: User, passwordHash: String)? {
        try await self.database.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT * FROM users WHERE username = ? OR email = ? LIMIT 1",
                    arguments: [login, login]
                )
            else { return nil }
            return (try Self.user(from: row), row["password_hash"])
        }
    }

    public func passwordHash(userID: String) async throws -> String? {
        try await self.database.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM users WHERE id = ?", arguments: [userID])
        }
    }

    public func updateUser(_ user: User, passwordHash: String?) async throws -> Bool {
        let preferences = try Self.encodePreferences(user.preferences)
        return try await self.write { db in
            try db.execute(
                sql: """
                    UPDATE users SET full_name = ?, preferences = ?, is_active = ?, updated_at = ?,
                        password_hash = COALESCE(?, password_hash),
                        credentials_generation = credentials_generation + (CASE WHEN ? IS NULL THEN 0 ELSE 1 END)
                    WHERE id = ?
                    """,
                arguments: [user.fullName, preferences, user.isActive, user.updatedAt, passwordHash, passwordHash, user.id]
            )
            guard db.changesCount > 0 else { return false }
            if passwordHash != nil {
                try db.execute(
                    sql: "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                    arguments: [user.updatedAt, user.id]
                )
            }
            return true
        }
    }

    static func user(from row: Row) throws -> User {
        let preferencesText: String = row["preferences"]
        return User(
            id: row["id"],
            email: row["email"],
            username: row["username"],
            fullName: row["full_name"],
            preferences: try WireFormat.makeDecoder().decode([String: JSONValue].self, from: Data(preferencesText.utf8)),
            isActive: row["is_active"],
            createdAt: row["created_at"],
            updatedAt: row["updated_at"],
            credentialsGeneration: row["credentials_generation"]
        )
    }

    private static func encodePreferences(_ preferences: [String: JSONValue]) throws -> String {
        String(decoding: try WireFormat.makeEncoder().encode(preferences), as: UTF8.self)
    }
}
