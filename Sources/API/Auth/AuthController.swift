import Foundation
import Hummingbird
import HummingbirdAuth
import Models

/// `/api/auth`: register, login (JSON, or the OAuth2 password form at `token`), refresh rotation, logout, and the
/// caller's profile.
public struct AuthController<Context: APIRequestContext & ClientAddressProviding>: Sendable {
    let accounts: AccountService
    let tokens: AccessTokenIssuer
    let throttle: LoginThrottle

    public init(accounts: AccountService, tokens: AccessTokenIssuer, throttle: LoginThrottle) {
        self.accounts = accounts
        self.tokens = tokens
        self.throttle = throttle
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.post("register", use: self.register)
        group.post("login", use: self.login)
        group.post("token", use: self.token)
        group.post("refresh", use: self.refresh)
        group.post("logout", use: self.logout)
        group.get("me", use: self.me)
        group.patch("me", use: self.updateMe)
    }

    @Sendable func register(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let registration = try await request.decode(as: Registration.self, context: context)
        try self.throttle.admit(address: context.clientAddress, username: registration.username)
        return EditedResponse(status: .created, response: try await self.accounts.register(registration))
    }

    @Sendable func login(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.signIn(with: request.decode(as: LoginCredentials.self, context: context), context: context)
    }

    /// The OAuth2 password grant: the same login, from a form.
    @Sendable func token(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.signIn(with: LoginCredentials.form(of: request, context: context), context: context)
    }

    private func signIn(with credentials: LoginCredentials, context: Context) async throws -> TokenPair {
        try self.throttle.admit(address: context.clientAddress, username: credentials.username)
        let user = try await self.accounts.authenticate(login: credentials.username, password: credentials.password)
        let refreshToken = try await self.accounts.startRefreshFamily(for: user)
        return try await self.tokenPair(for: user, refreshToken: refreshToken)
    }

    @Sendable func refresh(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let body = try await request.decode(as: RefreshRequest.self, context: context)
        let (user, refreshToken) = try await self.accounts.rotate(refreshToken: body.refreshToken)
        return try await self.tokenPair(for: user, refreshToken: refreshToken)
    }

    @Sendable func logout(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let body = try await request.decode(as: RefreshRequest.self, context: context)
        try await self.accounts.logout(refreshToken: body.refreshToken)
        return HTTPResponse.Status.noContent
    }

    @Sendable func me(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try context.requireUser()
    }

    @Sendable func updateMe(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let update = try await request.decode(as: ProfileUpdate.self, context: context)
        return try await self.accounts.updateProfile(of: user, with: update)
    }

    private func tokenPair(for user: User, refreshToken: String) async throws -> TokenPair {
        let access = try await self.tokens.issue(for: user)
        return TokenPair(accessToken: access.token, expiresIn: access.expiresIn, refreshToken: refreshToken)
    }
}
