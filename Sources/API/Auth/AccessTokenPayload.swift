import Foundation
import JWTKit

/// The claims of an access token: who (`sub`), until when (`exp`), issued when (`iat`) and by whom for whom (`iss`,
/// `aud`, both required: a token another service signed with a shared key is not ours), a unique `jti`, and `gen`,
/// the user's credentials generation when it was issued (a password change makes every earlier token invalid).
struct AccessTokenPayload: JWTPayload, Equatable {
    static let issuer = "sessionhub"
    static let audience = "sessionhub-api"

    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var iss: IssuerClaim
    var aud: AudienceClaim
    var jti: IDClaim
    var gen: Int

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try self.exp.verifyNotExpired()
        try self.aud.verifyIntendedAudience(includes: Self.audience)
        guard self.iss.value == Self.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: self.iss, reason: "not issued by SessionHub")
        }
    }
}
