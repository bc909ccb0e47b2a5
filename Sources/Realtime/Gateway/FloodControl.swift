import Models

/// Per-connection flood control for inbound frames: a token bucket of `perSecond` tokens refilled continuously, holding
/// up to twice that (a burst). A refused frame is answered RATE_LIMITED; a client that keeps sending a whole burst's
/// worth of frames while refused is abusive, and its connection is closed (1008).
struct FloodControl {
    enum Verdict: Equatable {
        case allowed, refused, abusive
    }

    private var bucket: TokenBucket
    private var refusedInARow = 0

    init(perSecond: Int, now: ContinuousClock.Instant = .now) {
        self.bucket = TokenBucket(capacity: Double(perSecond) * 2, perSecond: Double(perSecond), now: now)
    }

    mutating func admit(now: ContinuousClock.Instant = .now) -> Verdict {
        guard self.bucket.take(now: now) != nil else {
            self.refusedInARow = 0
            return .allowed
        }
        self.refusedInARow += 1
        return Double(self.refusedInARow) > self.bucket.capacity ? .abusive : .refused
    }
}
