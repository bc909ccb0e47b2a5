import Foundation
import Models
import NIOCore

/// Resolves an access token for the realtime transports: the same checks as REST's bearer authentication, plus the
/// expiry, because a live connection must end when its token does (unless renewed with an `auth` frame).
public protocol RealtimeAuthenticator: Sendable {
    /// Throws `DomainError.unauthorized` for a missing, forged or expired token or an inactive user.
    func identity(forToken token: String) async throws -> RealtimeIdentity
}

public struct RealtimeIdentity: Sendable {
    public let user: User
    public let expiresAt: Date

    public init(user: User, expiresAt: Date) {
        self.user = user
        self.expiresAt = expiresAt
    }
}

/// A request context that hands over its connection, so a transport can cut off a client that stopped reading.
public protocol ConnectionContext {
    var channel: any Channel { get }
}
