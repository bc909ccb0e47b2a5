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
        makeReplacement: @escaping @Sendable (_ userID: String, _ familyID: String, _ familyStartedAt: Date) -> RefreshTokenRecord
    ) async throws -> RefreshRotation {
        try await self.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM refresh_tokens WHERE token_hash = ?", arguments: [hash]) else {
                return .invalid
            }
            let familyID: String = row["family_id"]
            let usedAt: Date? = row["used_at"]
            let revokedAt: Date? = row["revoked_at"]
            if usedAt != nil || revokedAt != nil {
                try Self.revokeFamily(familyID, now: now, in: db)
                return .reused
            }
            let expiresAt: Date = row["expires_at"]
            guard expiresAt > now else { return .invalid }
            let familyStartedAt: Date = row["family_started_at"]
            guard familyStartedAt > familyStartedAfter else {
                try Self.revokeFamily(familyID, now: now, in: db)
                return .invalid
            }
            let userID: String = row["user_id"]
            try db.execute(sql: "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?", arguments: [now, hash])
            try Self.insert(makeReplacement(userID, familyID, familyStartedAt), in: db)
            return .rotated(userID: userID)
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
                INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at, family_started_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [record.tokenHash, record.userID, record.familyID, record.createdAt, record.expiresAt, record.familyStartedAt]
        )
    }

    private static func revokeFamily(_ familyID: String, now: Date, in db: Database) throws {
        try db.execute(
            sql: "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
            arguments: [now, familyID]
        )
    }
}
