import Foundation
import HummingbirdBcrypt
import Models
import NIOPosix

/// bcrypt at the configured cost, run on NIO's blocking thread pool so a hash never stalls an event loop.
public struct BcryptPasswordHasher: PasswordHasher {
    public static let allowedCosts: ClosedRange<Int> = 4...31

    let cost: UInt8
    public let decoyHash: String

    public init(cost: Int) {
        precondition(Self.allowedCosts.contains(cost), "bcrypt cost must be validated by configuration first")
        self.cost = UInt8(cost)
        self.decoyHash = Bcrypt.hash(UUID().uuidString, cost: UInt8(cost))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
