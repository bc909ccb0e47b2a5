import Foundation
import JWTKit
import Models

/// Signs and checks HS256 access tokens with the one configured key.
///
/// Only that key and algorithm verify: `alg: none`, other algorithms and tokens signed with other keys are refused.
public struct AccessTokenIssuer: Sendable {
    /// jwt-kit asserts on shorter HMAC keys; configuration refuses them before we get here.
    public static let minimumSecretBytes = 32

    let keys: JWTKeyCollection
    let lifetime: TimeInterval

    public init(secret: String, lifetime: TimeInterval) async {
        precondition(secret.utf8.count >= Self.minimumSecretBytes, "JWT secret must be validated by configuration first")
        self.keys = JWTKeyCollection()
        await self.keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    /// A signed access token for the user and its lifetime in seconds.
    public func issue(for user: User, now: Date = Date()) async throws -> (token: String, expiresIn: Int) {
        // Whole seconds: NumericDate allows fractions, but many JWT libraries reject them.
        let now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let payload = AccessTokenPayload(
            sub: SubjectClaim(value: user.id),
            exp: ExpirationClaim(value: now.addingTimeInterval(self.lifetime)),
            iat: IssuedAtClaim(value: now),
            iss: IssuerClaim(value: AccessTokenPayload.issuer),
            aud: AudienceClaim(value: AccessTokenPayload.audience),
            jti: IDClaim(value: UUID().uuidString.lowercased()),
            gen: user.credentialsGeneration
        )
        return (try await self.keys.sign(payload), Int(self.lifetime))
    }

    /// The user id a valid, unexpired token names, its expiry and the user's credentials generation it was issued
    /// under; `DomainError.unauthorized` otherwise.
    public func verify(_ token: String) async throws -> (userID: String, expiresAt: Date, credentialsGeneration: Int) {
        // jwt-kit checks the signature with our key whatever the header claims; refuse any other `alg` outright.
        guard Self.declaresHS256(token), let payload = try? await self.keys.verify(token, as: AccessTokenPayload.self) else {
            throw DomainError.unauthorized("Invalid or expired access token")
        }
        return (payload.sub.value, payload.exp.value, payload.gen)
    }

    private static func declaresHS256(_ token: String) -> Bool {
        guard let encodedHeader = token.split(separator: ".", omittingEmptySubsequences: false).first else { return false }
        var base64 = encodedHeader.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return false }
        return header["alg"] as? String == "HS256"
    }
}
