import Foundation
import JWTKit

/// The claims of an access token: who (`sub`), until when (`exp`), issued when (`iat`), and a unique `jti`.
struct AccessTokenPayload: JWTPayload, Equatable {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var jti: IDClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try self.exp.verifyNotExpired()
    }
}
