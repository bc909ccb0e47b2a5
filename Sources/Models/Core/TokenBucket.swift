/// A token bucket: `capacity` tokens, refilled continuously at `perSecond`. The one rate rule behind the REST write
/// limit (per user, per minute) and the WebSocket flood control (per connection, per second).
public struct TokenBucket: Sendable {
    public let capacity: Double
    public let perSecond: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    /// A full bucket.
    public init(capacity: Double, perSecond: Double, now: ContinuousClock.Instant = .now) {
        self.capacity = capacity
        self.perSecond = perSecond
        self.tokens = capacity
        self.updated = now
    }

    /// Takes a token; returns nil when allowed, or the seconds until one is available.
    public mutating func take(now: ContinuousClock.Instant = .now) -> Double? {
        self.tokens = self.available(at: now)
        self.updated = now
        guard self.tokens >= 1 else { return (1 - self.tokens) / self.perSecond }
        self.tokens -= 1
        return nil
    }

    /// Whether the bucket has refilled completely by `now`: its owner has been idle and can be forgotten.
    public func isFull(at now: ContinuousClock.Instant) -> Bool {
        self.available(at: now) >= self.capacity
    }

    private func available(at now: ContinuousClock.Instant) -> Double {
        min(self.capacity, self.tokens + self.updated.duration(to: now) / .seconds(1) * self.perSecond)
    }
}
