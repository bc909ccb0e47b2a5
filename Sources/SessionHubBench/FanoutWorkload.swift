import NIOCore
import Synchronization
import WebSocketClient

/// One session, `subscribers` watching (a share of them over SSE), one publisher at `rate` chat messages a second.
/// Also measures how long the subscribers take to connect, and for every join to reach everyone.
///
/// Each subscriber is its own user, so each connection's arrival is announced to everyone already there (a window's
/// arrivals at once, in `users_joined`), and its `connected` lists everyone before it. With `sharedAccount` all
/// subscribers are one user (one join), which isolates the chat fan-out from that presence storm.
struct FanoutWorkload: Sendable {
    let subscribers: Int
    let sseShare: Double
    let rate: Int
    let seconds: Double
    var sharedAccount = false

    var name: String { self.sseShare > 0 ? "mixed" : "fanout" }

    func run(on bench: Workbench) async throws -> WorkloadResult {
        let sessionID = try await bench.createSession(named: "\(self.name)-\(self.subscribers)")
        let progress = Progress()
        let sseCount = Int(Double(self.subscribers) * self.sseShare)
        let connectStart = ContinuousClock.now
        let connections = try await concurrentMap(Array(1...self.subscribers), width: Workbench.connectWidth) { index in
            let receiver = Receiver(progress: progress)
            let user = bench.users[self.sharedAccount ? 1 : index]
            // Every other subscriber on SSE, so both transports see the same moments of the run.
            let onSSE = index % 2 == 0 && index / 2 <= sseCount
            let subscription: Subscription =
                onSSE
                ? .sse(try await bench.eventStream(user, sessionID: sessionID, receiver: receiver, node: index))
                : .webSocket(try await bench.webSocket(user, sessionID: sessionID, receiver: receiver, node: index))
            return (subscription, receiver, onSSE)
        }
        defer { Task { _ = try? await concurrentMap(connections, width: 256) { await $0.0.close() } } }
        let allConnected = await wait(for: self.subscribers, of: { progress.connected.load(ordering: .relaxed) }, upTo: .seconds(120))
        let connectSeconds = connectStart.duration(to: .now).seconds
        // Settled when every subscriber knows every user present (itself included): from `connected`, then joins.
        let expectedKnown = self.subscribers * (self.sharedAccount ? 1 : self.subscribers)
        let joinsSettled = await wait(for: expectedKnown, of: { progress.knownUsers.load(ordering: .relaxed) }, upTo: .seconds(300))
        let joinsSeconds = connectStart.duration(to: .now).seconds

        let publisherProgress = Progress()
        let publisher = try await bench.webSocket(bench.owner, sessionID: sessionID, receiver: Receiver(progress: publisherProgress))
        defer { Task { await publisher.close() } }
        _ = await wait(
            for: expectedKnown + self.subscribers, of: { progress.knownUsers.load(ordering: .relaxed) }, stallingAfter: .seconds(3),
            upTo: .seconds(60))

        // One write before the measured ones: the first chat write after the server started pays one-time costs that
        // no later message pays (70 to 100 ms on PostgreSQL, 25 ms on SQLite, before this), and they would stand for
        // the p99 of a steady room. Its time to the ack is reported apart, as `first_write_ms`.
        let warmUpSent = monotonicNanos()
        publisher.send(#"{"type": "chat_message", "content": "warm-up", "ref": "warm-up"}"#)
        let warmedUp = await wait(upTo: .seconds(10)) { publisherProgress.acks.load(ordering: .relaxed) >= 1 }
        let firstWrite = Double(monotonicNanos() - warmUpSent) / 1_000_000

        let count = Int(Double(self.rate) * self.seconds)
        let expected = count * self.subscribers
        let meter = UsageMeter(bench: bench)
        let start = ContinuousClock.now
        for sequence in 0..<count {
            try await Task.sleep(until: start + .seconds(Double(sequence) / Double(self.rate)), clock: .continuous)
            // `ref` asks for the ack the publisher counts.
            publisher.send(#"{"type": "chat_message", "content": "\#(Receiver.probe(sequence: sequence))", "ref": \#(sequence)}"#)
        }
        _ = await wait(for: expected, of: { progress.delivered.load(ordering: .relaxed) }, stallingAfter: .seconds(3), upTo: .seconds(30))
        let elapsed = start.duration(to: .now).seconds

        let tallies = connections.map { (tally: $0.1.result, onSSE: $0.2) }
        var result = WorkloadResult(name: self.name)
        result["subscribers"] = .int(self.subscribers)
        if bench.servers.count > 1 { result["nodes"] = .int(bench.servers.count) }
        if bench.storesInPostgres { result["store"] = .text("postgres") }
        result["accounts"] = .text(self.sharedAccount ? "shared" : "distinct")
        if sseCount > 0 { result["sse_subscribers"] = .int(tallies.count { $0.onSSE }) }
        result["rate_per_s"] = .int(self.rate)
        result["messages"] = .int(count)
        let all = result.recordDeliveries(of: tallies.map(\.tally), expected: expected, over: self.seconds)
        result.latencySeries = [("\(self.name) \(self.subscribers)" + (self.sharedAccount ? " (one account)" : ""), all)]
        if bench.servers.count > 1 {
            // Subscriber i (from 1) is on node i mod n, the publisher on the first: node 2 and on get every message
            // through the bus.
            for node in bench.servers.indices {
                let onNode = tallies.indices.filter { ($0 + 1) % bench.servers.count == node }.flatMap { tallies[$0].tally.latenciesMicros }
                Self.addPercentiles(Latencies(onNode), prefix: "node\(node + 1)_", to: &result)
            }
        }
        if sseCount > 0 {
            let webSocket = Latencies(tallies.filter { !$0.onSSE }.flatMap(\.tally.latenciesMicros))
            let sse = Latencies(tallies.filter(\.onSSE).flatMap(\.tally.latenciesMicros))
            Self.addPercentiles(webSocket, prefix: "ws_", to: &result)
            Self.addPercentiles(sse, prefix: "sse_", to: &result)
            result.latencySeries = [("mixed \(self.subscribers): WebSocket", webSocket), ("mixed \(self.subscribers): SSE", sse)]
        }
        result["acks"] = .int(publisherProgress.acks.load(ordering: .relaxed) - 1)
        result["first_write_ms"] = warmedUp ? .number(firstWrite) : .text("no ack")
        result["refused"] = .int(publisherProgress.errors.load(ordering: .relaxed))
        result["closed_early"] = .int(progress.closed.load(ordering: .relaxed))
        result["all_connected"] = .flag(allConnected)
        result["connect_s"] = .number(connectSeconds)
        result["joins_settled_s"] = .number(joinsSeconds)
        result["users_known"] = .int(progress.knownUsers.load(ordering: .relaxed))
        result["all_joins_received"] = .flag(joinsSettled)
        await meter.finish(into: &result, seconds: elapsed)
        return result
    }

    static func addPercentiles(_ latencies: Latencies, prefix: String, to result: inout WorkloadResult) {
        result["\(prefix)p50_ms"] = .number(latencies.percentile(50))
        result["\(prefix)p90_ms"] = .number(latencies.percentile(90))
        result["\(prefix)p99_ms"] = .number(latencies.percentile(99))
        result["\(prefix)max_ms"] = .number(latencies.max)
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
