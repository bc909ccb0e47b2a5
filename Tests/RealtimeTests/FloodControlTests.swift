import Models
import Testing

@testable import Realtime

@Suite("Flood control")
struct FloodControlTests {
    /// 5 frames a second per user, bursts of 10.
    static func flood(_ budget: TokenBuckets, user: String = "u1") -> FloodControl {
        FloodControl(budget: budget, userID: user, burst: 10)
    }

    static func budget() -> TokenBuckets { TokenBuckets(capacity: 10, perSecond: 5) }

    @Test func allowsABurstThenRefusesThenCallsSustainedAbuseByName() {
        let start = ContinuousClock.now
        var flood = Self.flood(Self.budget())
        let verdicts = (0..<25).map { _ in flood.admit(now: start) }
        #expect(verdicts.prefix(10).allSatisfy { $0 == .allowed })
        #expect(verdicts[10..<20].allSatisfy { $0 == .refused })
        #expect(verdicts[20] == .abusive)
    }

    @Test func refillsAtTheConfiguredRateAndForgivesAfterAnAllowedFrame() {
        let start = ContinuousClock.now
        var flood = Self.flood(Self.budget())
        for _ in 0..<10 { _ = flood.admit(now: start) }
        #expect(flood.admit(now: start) == .refused)
        // 5 per second: one more token every 200 ms.
        #expect(flood.admit(now: start + .milliseconds(210)) == .allowed)
        #expect(flood.admit(now: start + .milliseconds(210)) == .refused)
        let later = start + .seconds(10)
        #expect((0..<10).map { _ in flood.admit(now: later) }.allSatisfy { $0 == .allowed })
    }

    @Test func aUsersConnectionsShareOneBudget() {
        let start = ContinuousClock.now
        let budget = Self.budget()
        var first = Self.flood(budget)
        var second = Self.flood(budget)
        var someoneElse = Self.flood(budget, user: "u2")
        for _ in 0..<5 {
            #expect(first.admit(now: start) == .allowed)
            #expect(second.admit(now: start) == .allowed)
        }
        #expect(first.admit(now: start) == .refused)
        #expect(second.admit(now: start) == .refused)
        #expect(someoneElse.admit(now: start) == .allowed)
    }
}
