import Hummingbird
import HummingbirdAuth
import Models
import Synchronization

/// Limits REST writes to RATE_LIMIT_PER_MINUTE per user (per client address before login) with a token bucket.
///
/// Reads are not limited: they cost little and a dashboard polls them.
struct RateLimitMiddleware<Context: AuthRequestContext<User> & RemoteAddressProviding>: RouterMiddleware {
    let buckets: TokenBuckets

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method) else { return try await next(request, context) }
        let key = context.identity.map { "user:\($0.id)" } ?? "address:\(context.remoteAddress ?? "unknown")"
        if let retryAfter = self.buckets.take(key: key) {
            throw DomainError.rateLimited(retryAfterSeconds: retryAfter)
        }
        return try await next(request, context)
    }
}

/// A context that knows the client's address, for limits applied before a user is known.
protocol RemoteAddressProviding {
    var remoteAddress: String? { get }
}

/// Token buckets by key, refilled continuously at `perMinute` per minute up to `perMinute`.
final class TokenBuckets: Sendable {
    private let perMinute: Int
    private let state = Mutex<[String: TokenBucket]>([:])
    /// Past this many tracked keys, full buckets (idle callers) are forgotten, keeping memory bounded.
    private let pruneThreshold = 10_000

    init(perMinute: Int) {
        self.perMinute = perMinute
    }

    /// Takes one token; returns nil when allowed, or the whole seconds until a token is available.
    func take(key: String, now: ContinuousClock.Instant = .now) -> Int? {
        self.state.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(capacity: Double(self.perMinute), perSecond: Double(self.perMinute) / 60, now: now)
            let wait = bucket.take(now: now)
            buckets[key] = bucket
            if buckets.count > self.pruneThreshold { buckets = buckets.filter { !$0.value.isFull(at: now) } }
            return wait.map { max(1, Int($0.rounded(.up))) }
        }
    }
}
