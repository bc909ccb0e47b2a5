import Models

/// A context that knows the client's address (the peer's, or the one a trusted proxy forwarded), for limits applied
/// before a user is known.
public protocol ClientAddressProviding {
    var clientAddress: String? { get set }
    /// The TCP peer, whom X-Forwarded-For is believed from only when it is a trusted proxy.
    var peerAddress: String? { get }
}

/// Throttles password guessing: LOGIN_ATTEMPTS_PER_MINUTE attempts per (client address, username) for login and
/// registration, checked on the username the route itself parsed and before any bcrypt work is spent. Per pair, so
/// an attacker cannot lock a user out from everywhere; guesses spread over usernames from one address still meet
/// the per-address write limit.
public struct LoginThrottle: Sendable {
    let buckets: TokenBuckets

    public init(perMinute: Int) {
        self.buckets = TokenBuckets(perMinute: perMinute)
    }

    func admit(address: String?, username: String) throws {
        if let retryAfter = self.buckets.take(key: "\(address ?? "unknown")|\(username.lowercased())") {
            throw DomainError.rateLimited(retryAfterSeconds: retryAfter)
        }
    }
}
