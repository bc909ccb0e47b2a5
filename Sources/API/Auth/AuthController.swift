import Foundation
import Hummingbird
import HummingbirdAuth
import Models

/// `/api/auth`: register, login (JSON or the OAuth2 password form), refresh rotation, logout, and the caller's profile.
public struct AuthController<Context: AuthRequestContext<User> & ClientAddressProviding>: Sendable {
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
        group.post("refresh", use: self.refresh)
        group.post("logout", use: self.logout)
        group.get("me", use: self.me)
        group.patch("me", use: self.updateMe)
    }

    @Sendable func register(_ request: Request, context: Context) async throws -> Response {
        let registration = try await JSONBody.decode(Registration.self, from: request)
        try self.throttle.admit(address: context.clientAddress, username: registration.username)
        return try JSONResponse.make(try await self.accounts.register(registration), status: .created)
    }

    @Sendable func login(_ request: Request, context: Context) async throws -> Response {
        let credentials = try await LoginCredentials.decode(from: request)
        try self.throttle.admit(address: context.clientAddress, username: credentials.username)
        let user = try await self.accounts.authenticate(login: credentials.username, password: credentials.password)
        let refreshToken = try await self.accounts.startRefreshFamily(for: user)
        return try JSONResponse.make(try await self.tokenPair(for: user, refreshToken: refreshToken))
    }

    @Sendable func refresh(_ request: Request, context: Context) async throws -> Response {
        let body = try await JSONBody.decode(RefreshRequest.self, from: request)
        let (user, refreshToken) = try await self.accounts.rotate(refreshToken: body.refreshToken)
        return try JSONResponse.make(try await self.tokenPair(for: user, refreshToken: refreshToken))
    }

    @Sendable func logout(_ request: Request, context: Context) async throws -> Response {
        let body = try await JSONBody.decode(RefreshRequest.self, from: request)
        try await self.accounts.logout(refreshToken: body.refreshToken)
        return JSONResponse.noContent
    }

    @Sendable func me(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try context.requireUser())
    }

    @Sendable func updateMe(_ request: Request, context: Context) async throws -> Response {
        let user = try context.requireUser()
        let update = try await JSONBody.decode(ProfileUpdate.self, from: request)
        return try JSONResponse.make(try await self.accounts.updateProfile(of: user, with: update))
    }

    private func tokenPair(for user: User, refreshToken: String) async throws -> TokenPair {
        let access = try await self.tokens.issue(for: user)
        return TokenPair(accessToken: access.token, expiresIn: access.expiresIn, refreshToken: refreshToken)
    }
}
