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
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let perMinute: Double
    private let state = Mutex<[String: Bucket]>([:])
    /// Past this many tracked keys, full buckets (idle callers) are forgotten, keeping memory bounded.
    private let pruneThreshold = 10_000

    init(perMinute: Int) {
        self.perMinute = Double(perMinute)
    }

    /// Takes one token; returns nil when allowed, or the seconds until a token is available.
    func take(key: String, now: ContinuousClock.Instant = .now) -> Int? {
        self.state.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: self.perMinute, updated: now)
            bucket.tokens = min(self.perMinute, bucket.tokens + self.refill(since: bucket.updated, now: now))
            bucket.updated = now
            defer {
                buckets[key] = bucket
                if buckets.count > self.pruneThreshold { self.prune(&buckets, now: now) }
            }
            guard bucket.tokens >= 1 else {
                return max(1, Int(((1 - bucket.tokens) * 60 / self.perMinute).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }

    private func refill(since: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Double {
        since.duration(to: now) / .seconds(60) * self.perMinute
    }

    private func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { $0.value.tokens + self.refill(since: $0.value.updated, now: now) < self.perMinute }
    }
}
