import Foundation
import GRDB

extension SQLiteStore {
    public func insertRefreshToken(_ record: RefreshTokenRecord) async throws {
        try await self.write { db in
            try Self.insert(record, in: db)
        }
    }

    public func rotateRefreshToken(
        hash: String,
        now: Date,
        familyStartedAfter: Date,
        makeReplacement: @escaping @Sendable (RefreshFamily) -> RefreshTokenRecord
    ) async throws -> RefreshRotation {
        try await self.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT t.*, u.credentials_generation AS current_generation FROM refresh_tokens t JOIN users u ON u.id = t.user_id
                        WHERE t.token_hash = ?
                        """,
                    arguments: [hash]
                )
            else { return .invalid }
            let familyID: String = row["family_id"]
            let usedAt: Date? = row["used_at"]
            let revokedAt: Date? = row["revoked_at"]
            if usedAt != nil || revokedAt != nil {
                try Self.revokeFamily(familyID, now: now, in: db)
                return .reused
            }
            let expiresAt: Date = row["expires_at"]
            guard expiresAt > now else { return .invalid }
            let family = RefreshFamily(
                id: familyID, userID: row["user_id"], startedAt: row["family_started_at"], credentialsGeneration: row["credentials_generation"]
            )
            guard family.startedAt > familyStartedAfter, family.credentialsGeneration == row["current_generation"] else {
                try Self.revokeFamily(familyID, now: now, in: db)
                return .invalid
            }
            try db.execute(sql: "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?", arguments: [now, hash])
            try Self.insert(makeReplacement(family), in: db)
            return .rotated(userID: family.userID)
        }
    }

    public func revokeRefreshTokenFamily(hash: String, now: Date) async throws -> Bool {
        try await self.write { db in
            guard let familyID = try String.fetchOne(db, sql: "SELECT family_id FROM refresh_tokens WHERE token_hash = ?", arguments: [hash])
            else { return false }
            try Self.revokeFamily(familyID, now: now, in: db)
            return true
        }
    }

    public func deleteRefreshTokens(expiredBefore date: Date) async throws -> Int {
        try await self.write { db in
            try db.execute(sql: "DELETE FROM refresh_tokens WHERE expires_at < ?", arguments: [date])
            return db.changesCount
        }
    }

    private static func insert(_ record: RefreshTokenRecord, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at, family_started_at, credentials_generation)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.tokenHash, record.family.userID, record.family.id, record.createdAt, record.expiresAt, record.family.startedAt,
                record.family.credentialsGeneration,
            ]
        )
    }

    private static func revokeFamily(_ familyID: String, now: Date, in db: Database) throws {
        try db.execute(
            sql: "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
            arguments: [now, familyID]
        )
    }
}
