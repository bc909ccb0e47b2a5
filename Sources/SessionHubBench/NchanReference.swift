import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import WebSocketClient

/// The fan-out and idle workloads against nginx with nchan, the in-memory pub/sub written in C that issue 14's targets
/// are set against, driven by this program's own client: the two servers compare on one machine, in one sitting.
/// nchan persists nothing and announces no one. A message is an HTTP POST to `/pub/<channel>`, a subscriber a
/// WebSocket on `/sub/<channel>` (the locations scripts/bench-nchan configures).
struct NchanReference: Sendable {
    let server: ServerUnderTest
    let group: MultiThreadedEventLoopGroup

    /// `subscribers` on one channel, one publisher at `rate` messages a second for `seconds`.
    func fanout(subscribers: Int, rate: Int, seconds: Double) async throws -> WorkloadResult {
        let channel = "fanout-\(subscribers)-\(UInt32.random(in: 0...UInt32.max))"
        let progress = Progress()
        let connectStart = ContinuousClock.now
        let connections = try await concurrentMap(Array(0..<subscribers), width: Workbench.connectWidth) { _ in
            let receiver = Receiver(progress: progress)
            return (try await self.subscribe(to: channel, receiver: receiver), receiver)
        }
        defer { Task { _ = try? await concurrentMap(connections, width: 256) { await $0.0.close() } } }
        let connectSeconds = connectStart.duration(to: .now).seconds

        let publisher = try await HTTPConnection.connect(to: self.server.endpoint, group: self.group)
        defer { Task { await publisher.close() } }
        let count = Int(Double(rate) * seconds)
        let meter = UsageMeter(servers: [self.server])
        let start = ContinuousClock.now
        for sequence in 0..<count {
            try await Task.sleep(until: start + .seconds(Double(sequence) / Double(rate)), clock: .continuous)
            _ = try await publisher.expect(.POST, "/pub/\(channel)", json: Receiver.probe(sequence: sequence))
        }
        let expected = count * subscribers
        _ = await wait(for: expected, of: { progress.delivered.load(ordering: .relaxed) }, stallingAfter: .seconds(3), upTo: .seconds(30))
        let elapsed = start.duration(to: .now).seconds

        var result = WorkloadResult(name: "fanout")
        result["reference"] = .text("nchan")
        result["subscribers"] = .int(subscribers)
        result["rate_per_s"] = .int(rate)
        result["messages"] = .int(count)
        result.recordDeliveries(of: connections.map(\.1.result), expected: expected, over: seconds)
        result["closed_early"] = .int(progress.closed.load(ordering: .relaxed))
        result["connect_s"] = .number(connectSeconds)
        await meter.finish(into: &result, seconds: elapsed)
        return result
    }

    /// `connections` subscribers on channels of `roomSize`, held for `seconds`: what a connection costs nginx.
    func idle(connections: Int, roomSize: Int, seconds: Double) async throws -> WorkloadResult {
        let rooms = max(1, connections / roomSize)
        let run = UInt32.random(in: 0...UInt32.max)
        let before = self.server.usage()
        let progress = Progress()
        let start = ContinuousClock.now
        let opened = try await concurrentMap(Array(0..<(rooms * roomSize)), width: Workbench.connectWidth) { index in
            try await self.subscribe(to: "idle-\(run)-\(index / roomSize)", receiver: Receiver(progress: progress))
        }
        defer { Task { _ = try? await concurrentMap(opened, width: 256) { await $0.close() } } }
        let connectSeconds = start.duration(to: .now).seconds
        let peak = PeakMemory(server: self.server)
        try await Task.sleep(for: .seconds(seconds))
        let after = self.server.usage()

        var result = WorkloadResult(name: "idle")
        result["reference"] = .text("nchan")
        result["connections"] = .int(opened.count)
        result["rooms"] = .int(rooms)
        result["room_size"] = .int(roomSize)
        result["connect_s"] = .number(connectSeconds)
        result["all_open_at_end"] = .flag(progress.closed.load(ordering: .relaxed) == 0)
        result.recordMemory(before: before, after: after, peak: await peak.stop(), connections: opened.count)
        return result
    }

    private func subscribe(to channel: String, receiver: Receiver) async throws -> WebSocketConnection {
        try await WebSocketConnection.connect(to: self.server.endpoint, path: "/sub/\(channel)", receiver: receiver, group: self.group)
    }
}
