import Models

/// Flood control for inbound frames: each frame takes a token from its user's budget (WS_FRAMES_PER_SECOND refilled
/// continuously, bursts up to twice that), shared by all the user's connections, so opening more sockets buys no
/// more frames. A refused frame is answered RATE_LIMITED; a connection that keeps sending a whole burst's worth of
/// frames while refused is abusive, and it is closed (1008).
struct FloodControl {
    enum Verdict: Equatable {
        case allowed, refused, abusive
    }

    private let budget: TokenBuckets
    private let userID: String
    private let burst: Int
    private var refusedInARow = 0

    init(budget: TokenBuckets, userID: String, burst: Int) {
        self.budget = budget
        self.userID = userID
        self.burst = burst
    }

    mutating func admit(now: ContinuousClock.Instant = .now) -> Verdict {
        guard self.budget.take(key: self.userID, now: now) != nil else {
            self.refusedInARow = 0
            return .allowed
        }
        self.refusedInARow += 1
        return self.refusedInARow > self.burst ? .abusive : .refused
    }
}
