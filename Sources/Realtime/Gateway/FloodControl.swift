import Foundation

/// Per-connection flood control for inbound frames: a token bucket of `perSecond` tokens refilled continuously, holding
/// up to twice that (a burst). A refused frame is answered RATE_LIMITED; a client that keeps sending a whole burst's
/// worth of frames while refused is abusive, and its connection is closed (1008).
struct FloodControl {
    enum Verdict: Equatable {
        case allowed, refused, abusive
    }

    private let perSecond: Double
    private let capacity: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant
    private var refusedInARow = 0

    init(perSecond: Int, now: ContinuousClock.Instant = .now) {
        self.perSecond = Double(perSecond)
        self.capacity = Double(perSecond) * 2
        self.tokens = self.capacity
        self.updated = now
    }

    mutating func admit(now: ContinuousClock.Instant = .now) -> Verdict {
        self.tokens = min(self.capacity, self.tokens + self.updated.duration(to: now) / .seconds(1) * self.perSecond)
        self.updated = now
        guard self.tokens >= 1 else {
            self.refusedInARow += 1
            return Double(self.refusedInARow) > self.capacity ? .abusive : .refused
        }
        self.tokens -= 1
        self.refusedInARow = 0
        return .allowed
    }
}
