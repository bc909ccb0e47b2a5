import Foundation
import Hummingbird
import HummingbirdAuth
import Models

/// Resolves the caller from `Authorization: Bearer <JWT>`.
///
/// No header: the request goes on anonymously and `requireIdentity()` answers 401 where a user is needed.
/// A header that is not a valid token of an active user: 401 at once, whatever the route.
public struct BearerAuthenticator<Context: AuthRequestContext<User>>: AuthenticatorMiddleware {
    public typealias Identity = User

    let tokens: AccessTokenIssuer
    let accounts: AccountService

    public init(tokens: AccessTokenIssuer, accounts: AccountService) {
        self.tokens = tokens
        self.accounts = accounts
    }

    public func authenticate(request: Request, context: Context) async throws -> User? {
        guard let header = request.headers[.authorization] else { return nil }
        guard let token = BearerToken.parse(header) else {
            throw DomainError.unauthorized("Authorization must be 'Bearer <access token>'")
        }
        return try await self.identity(forToken: token).user
    }

    /// The active user a token names and when the token expires; shared with the realtime transports, which also
    /// accept `?token=` and must end a connection when its token expires.
    public func identity(forToken token: String) async throws -> (user: User, expiresAt: Date) {
        let claims = try await self.tokens.verify(token)
        guard let user = try await self.accounts.activeUser(id: claims.userID, credentialsGeneration: claims.credentialsGeneration) else {
            throw DomainError.unauthorized("Invalid or expired access token")
        }
        return (user, claims.expiresAt)
    }
}
