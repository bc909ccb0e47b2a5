import API
import Foundation
import Models
import Testing

@Suite("Access tokens")
struct AccessTokenIssuerTests {
    let user = User(
        id: "4f1c1f2e-0000-4000-8000-000000000001",
        email: "t@example.com",
        username: "tess",
        fullName: nil,
        preferences: [:],
        isActive: true,
        createdAt: Date(),
        updatedAt: Date()
    )

    @Test func issuedTokenNamesItsUser() async throws {
        let issuer = await AccessTokenIssuer(secret: String(repeating: "k", count: 32), lifetime: 60)
        let (token, expiresIn) = try await issuer.issue(for: self.user)
        #expect(expiresIn == 60)
        #expect(try await issuer.verify(token).userID == self.user.id)
    }

    @Test func expiredTokenIsRefused() async throws {
        let issuer = await AccessTokenIssuer(secret: String(repeating: "k", count: 32), lifetime: 60)
        let (token, _) = try await issuer.issue(for: self.user, now: Date().addingTimeInterval(-120))
        await #expect(throws: DomainError.unauthorized("Invalid or expired access token")) {
            try await issuer.verify(token).userID
        }
    }

    @Test func tokenOfAnotherKeyIsRefused() async throws {
        let ours = await AccessTokenIssuer(secret: String(repeating: "k", count: 32), lifetime: 60)
        let theirs = await AccessTokenIssuer(secret: String(repeating: "j", count: 32), lifetime: 60)
        let (token, _) = try await theirs.issue(for: self.user)
        await #expect(throws: DomainError.self) { try await ours.verify(token) }
    }

    @Test func passwordHasherVerifiesOnlyTheRightPassword() async throws {
        let hasher = BcryptPasswordHasher(cost: 4, concurrency: 2, queueLimit: 8)
        let hash = try await hasher.hash("open sesame")
        #expect(hash.hasPrefix("$2"))
        #expect(try await hasher.verify("open sesame", against: hash))
        #expect(try await !hasher.verify("open sesame!", against: hash))
        #expect(try await !hasher.verify("anything", against: hasher.decoyHash))
    }

    @Test func hashesBeyondTheQueueAreRefusedAtOnceWith503() async throws {
        let hasher = BcryptPasswordHasher(cost: 10, concurrency: 1, queueLimit: 2)
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask {
                    do {
                        _ = try await hasher.hash("password-\(index)")
                        return "hashed"
                    } catch let error as DomainError {
                        return error.errorCode.rawValue
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        // One running and two waiting are hashed; the rest are told to come back.
        #expect(outcomes.filter { $0 == "hashed" }.count == 3)
        #expect(outcomes.filter { $0 == "SERVER_BUSY" }.count == 5)
    }

    @Test func longPasswordsAreNotTruncated() async throws {
        // 40 two-byte characters: 80 bytes, past bcrypt's 72. Two of them differing only at the end must not match.
        let base = String(repeating: "é", count: 39)
        let hasher = BcryptPasswordHasher(cost: 4, concurrency: 2, queueLimit: 8)
        let hash = try await hasher.hash(base + "a")
        #expect(try await hasher.verify(base + "a", against: hash))
        #expect(try await !hasher.verify(base + "b", against: hash))
    }
}
