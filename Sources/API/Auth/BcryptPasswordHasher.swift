import Crypto
import Foundation
import HummingbirdBcrypt
import Models
import NIOPosix

/// bcrypt at the configured cost, run on NIO's blocking thread pool so a hash never stalls an event loop.
///
/// bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a prefix would match. A password
/// longer than that (72 characters of non-ASCII text can be 288 bytes) is first reduced to its SHA-256 in base64 (44 bytes);
/// shorter ones are hashed as they are, so stored hashes stay plain bcrypt for every password that fits.
public struct BcryptPasswordHasher: PasswordHasher {
    public static let allowedCosts: ClosedRange<Int> = 4...31

    let cost: UInt8
    public let decoyHash: String
    private let limiter: WorkLimiter

    /// At most `concurrency` hashes at once and `queueLimit` waiting; more answer 503 (SERVER_BUSY) at once.
    public init(cost: Int, concurrency: Int, queueLimit: Int) {
        precondition(Self.allowedCosts.contains(cost), "bcrypt cost must be validated by configuration first")
        self.cost = UInt8(cost)
        self.decoyHash = Bcrypt.hash(UUID().uuidString, cost: UInt8(cost))
        self.limiter = WorkLimiter(concurrency: concurrency, queueLimit: queueLimit)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        let input = Self.bcryptInput(password)
        return try await self.limiter.run { try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(input, cost: cost) } }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        let input = Self.bcryptInput(password)
        return try await self.limiter.run { try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(input, hash: hash) } }
    }

    static let bcryptMaxBytes = 72

    static func bcryptInput(_ password: String) -> String {
        guard password.utf8.count > self.bcryptMaxBytes else { return password }
        return Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }
}
