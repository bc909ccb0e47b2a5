import Synchronization

/// Token buckets by key (a user, an address, an address and a username), each `capacity` tokens refilled at
/// `perSecond`: the REST write limit, login throttling, connection rates and the per-user frame budget.
public final class TokenBuckets: Sendable {
    private let capacity: Double
    private let perSecond: Double
    private let state = Mutex<[String: TokenBucket]>([:])
    /// Past this many tracked keys, full buckets (idle callers) are forgotten, keeping memory bounded.
    private let pruneThreshold = 10_000

    public init(capacity: Double, perSecond: Double) {
        self.capacity = capacity
        self.perSecond = perSecond
    }

    /// `perMinute` a minute, all of which may be spent at once.
    public convenience init(perMinute: Int) {
        self.init(capacity: Double(perMinute), perSecond: Double(perMinute) / 60)
    }

    /// Takes one token; returns nil when allowed, or the whole seconds until a token is available.
    public func take(key: String, now: ContinuousClock.Instant = .now) -> Int? {
        self.state.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(capacity: self.capacity, perSecond: self.perSecond, now: now)
            let wait = bucket.take(now: now)
            buckets[key] = bucket
            if buckets.count > self.pruneThreshold { buckets = buckets.filter { !$0.value.isFull(at: now) } }
            return wait.map { max(1, Int($0.rounded(.up))) }
        }
    }
}
