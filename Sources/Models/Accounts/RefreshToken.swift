import Crypto
import Foundation

/// A stored refresh token: only its SHA-256 is kept, so a copy of the database cannot be replayed.
///
/// Tokens of one login form a family; reusing a rotated token revokes the whole family, which
/// cuts off whoever stole it as well as the victim (who simply logs in again).
public struct RefreshTokenRecord: Sendable, Equatable {
    public let tokenHash: String
    public let family: RefreshFamily
    public let createdAt: Date
    public let expiresAt: Date

    public init(tokenHash: String, family: RefreshFamily, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.family = family
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One login: the tokens that replace each other from a sign-in on.
public struct RefreshFamily: Sendable, Equatable {
    public let id: String
    public let userID: String
    /// When the login began: a family outlives it by REFRESH_FAMILY_MAX_DAYS at most, however often it is refreshed.
    public let startedAt: Date
    /// The user's credentials generation at sign-in: a password change, even one racing the sign-in, ends the login.
    public let credentialsGeneration: Int

    public init(id: String, userID: String, startedAt: Date, credentialsGeneration: Int) {
        self.id = id
        self.userID = userID
        self.startedAt = startedAt
        self.credentialsGeneration = credentialsGeneration
    }
}

/// What presenting a refresh token to the store led to.
public enum RefreshRotation: Sendable, Equatable {
    /// The token was live; it is now spent and its replacement is stored.
    case rotated(userID: String)
    /// The token was already spent or revoked: its family has been revoked.
    case reused
    /// Unknown or expired, or its login is older than the longest a login may last (its family is revoked then).
    case invalid
}

/// Makes and hashes opaque refresh token strings.
enum RefreshTokenSecret {
    static func generate() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
