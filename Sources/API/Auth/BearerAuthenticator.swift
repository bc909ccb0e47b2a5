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
        guard let token = Self.bearerToken(in: header) else {
            throw DomainError.unauthorized("Authorization must be 'Bearer <access token>'")
        }
        return try await self.user(forToken: token)
    }

    /// The active user a token names; shared with the realtime transports, which also accept `?token=`.
    public func user(forToken token: String) async throws -> User {
        let userID = try await self.tokens.userID(from: token)
        guard let user = try await self.accounts.activeUser(id: userID) else {
            throw DomainError.unauthorized("Invalid or expired access token")
        }
        return user
    }

    static func bearerToken(in header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
