import Models
import Testing

@testable import HTTPKernel

@Suite("Token buckets")
struct RateLimitTests {
    @Test func allowsTheBudgetThenRefills() {
        let buckets = TokenBuckets(perMinute: 2)
        let start = ContinuousClock.now
        #expect(buckets.take(key: "a", now: start) == nil)
        #expect(buckets.take(key: "a", now: start) == nil)
        #expect(buckets.take(key: "a", now: start) == 30)
        #expect(buckets.take(key: "b", now: start) == nil, "keys are independent")
        #expect(buckets.take(key: "a", now: start + .seconds(30)) == nil)
    }
}
