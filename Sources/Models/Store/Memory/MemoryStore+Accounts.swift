import Foundation

extension MemoryStore {
    struct StoredUser: Sendable {
        var user: User
        var passwordHash: String
    }

    struct StoredRefreshToken: Sendable {
        let record: RefreshTokenRecord
        var usedAt: Date?
        var revokedAt: Date?
    }

    public func insertUser(_ user: User, passwordHash: String) async throws {
        try self.write { tables in
            // The username first: when both are taken, SQLite names the username.
            for (field, value) in [("username", \User.username), ("email", \User.email)] {
                let taken = NoCase(user[keyPath: value])
                if tables.users.values.contains(where: { NoCase($0.user[keyPath: value]) == taken }) {
                    throw DomainError.conflict("That \(field) is already registered")
                }
            }
            // A new account starts at the first credentials generation, whatever the caller's value says.
            var stored = user
            stored.credentialsGeneration = 0
            tables.users[user.id] = StoredUser(user: stored, passwordHash: passwordHash)
        }
    }

    public func user(id: String) async throws -> User? {
        try self.read { $0.users[id]?.user }
    }

    public func credentials(login: String) async throws -> (user: User, passwordHash: String)? {
        try self.read { tables in
            let login = NoCase(login)
            return tables.users.values.first { NoCase($0.user.username) == login || NoCase($0.user.email) == login }
                .map { ($0.user, $0.passwordHash) }
        }
    }

    public func passwordHash(userID: String) async throws -> String? {
        try self.read { $0.users[userID]?.passwordHash }
    }

    public func updateUser(_ user: User, passwordHash: String?) async throws -> Bool {
        try self.write { tables in
            guard var stored = tables.users[user.id] else { return false }
            // The profile fields only: email, username and the credentials generation are not the caller's to set.
            stored.user.fullName = user.fullName
            stored.user.preferences = user.preferences
            stored.user.isActive = user.isActive
            stored.user.updatedAt = user.updatedAt
            if let passwordHash {
                stored.passwordHash = passwordHash
                stored.user.credentialsGeneration += 1
                for (hash, token) in tables.refreshTokens where token.record.family.userID == user.id && token.revokedAt == nil {
                    tables.refreshTokens[hash]?.revokedAt = user.updatedAt
                }
            }
            tables.users[user.id] = stored
            return true
        }
    }

    public func insertRefreshToken(_ record: RefreshTokenRecord) async throws {
        try self.write { tables in
            try tables.require(users: record.family.userID)
            tables.refreshTokens[record.tokenHash] = StoredRefreshToken(record: record)
        }
    }

    public func rotateRefreshToken(
        hash: String,
        now: Date,
        familyStartedAfter: Date,
        makeReplacement: @escaping @Sendable (RefreshFamily) -> RefreshTokenRecord
    ) async throws -> RefreshRotation {
        try self.write { tables in
            guard let token = tables.refreshTokens[hash], let user = tables.users[token.record.family.userID]?.user else { return .invalid }
            let family = token.record.family
            if token.usedAt != nil || token.revokedAt != nil {
                tables.revokeFamily(family.id, at: now)
                return .reused
            }
            guard token.record.expiresAt > now else { return .invalid }
            guard family.startedAt > familyStartedAfter, family.credentialsGeneration == user.credentialsGeneration else {
                tables.revokeFamily(family.id, at: now)
                return .invalid
            }
            let replacement = makeReplacement(family)
            try tables.require(users: replacement.family.userID)
            tables.refreshTokens[hash]?.usedAt = now
            tables.refreshTokens[replacement.tokenHash] = StoredRefreshToken(record: replacement)
            return .rotated(userID: family.userID)
        }
    }

    public func revokeRefreshTokenFamily(hash: String, now: Date) async throws -> Bool {
        try self.write { tables in
            guard let token = tables.refreshTokens[hash] else { return false }
            tables.revokeFamily(token.record.family.id, at: now)
            return true
        }
    }

    public func deleteRefreshTokens(expiredBefore date: Date) async throws -> Int {
        try self.write { tables in
            let expired = tables.refreshTokens.filter { $0.value.record.expiresAt < date }.keys
            for hash in expired { tables.refreshTokens[hash] = nil }
            return expired.count
        }
    }
}

extension MemoryStore.Tables {
    fileprivate mutating func revokeFamily(_ familyID: String, at time: Date) {
        for (hash, token) in self.refreshTokens where token.record.family.id == familyID && token.revokedAt == nil {
            self.refreshTokens[hash]?.revokedAt = time
        }
    }
}
