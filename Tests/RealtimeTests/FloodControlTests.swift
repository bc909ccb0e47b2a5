import Testing

@testable import Realtime

@Suite("Per-connection flood control")
struct FloodControlTests {
    @Test func allowsABurstThenRefusesThenCallsSustainedAbuseByName() {
        let start = ContinuousClock.now
        var flood = FloodControl(perSecond: 5, now: start)
        let verdicts = (0..<25).map { _ in flood.admit(now: start) }
        #expect(verdicts.prefix(10).allSatisfy { $0 == .allowed })
        #expect(verdicts[10..<20].allSatisfy { $0 == .refused })
        #expect(verdicts[20] == .abusive)
    }

    @Test func refillsAtTheConfiguredRateAndForgivesAfterAnAllowedFrame() {
        let start = ContinuousClock.now
        var flood = FloodControl(perSecond: 5, now: start)
        for _ in 0..<10 { _ = flood.admit(now: start) }
        #expect(flood.admit(now: start) == .refused)
        // 5 per second: one more token every 200 ms.
        #expect(flood.admit(now: start + .milliseconds(210)) == .allowed)
        #expect(flood.admit(now: start + .milliseconds(210)) == .refused)
        let later = start + .seconds(10)
        #expect((0..<10).map { _ in flood.admit(now: later) }.allSatisfy { $0 == .allowed })
    }
}
