import Synchronization
import WebSocketClient

/// `connections` WebSockets in rooms of `roomSize`, held open for `seconds`: what a connection costs the server in
/// memory, and whether every one survives. With `roomMessagesPerSecond`, the soak: each room also hears that many
/// chat messages a second the whole time, and the server's memory is sampled to show it stays flat.
struct IdleWorkload: Sendable {
    let connections: Int
    let roomSize: Int
    let seconds: Double
    var roomMessagesPerSecond = 0

    /// How often the soak samples the server's memory; what the first minute grew is set apart.
    static let sampleEvery = Duration.seconds(10)
    static let warmUp = Duration.seconds(60)

    func run(on bench: Workbench) async throws -> WorkloadResult {
        let rooms = max(1, self.connections / self.roomSize)
        let sessionIDs = try await concurrentMap(Array(0..<rooms), width: 16) { try await bench.createSession(named: "idle-\($0)") }
        let before = bench.server.usage()
        let progress = Progress()
        let pool = bench.users.count - 1
        let start = ContinuousClock.now
        let opened = try await concurrentMap(Array(0..<(rooms * self.roomSize)), width: Workbench.connectWidth) { index in
            let user = bench.users[1 + index % pool]
            let receiver = Receiver(progress: progress)
            return (try await bench.webSocket(user, sessionID: sessionIDs[index / self.roomSize], receiver: receiver), receiver)
        }
        defer { Task { _ = try? await concurrentMap(opened, width: 256) { await $0.0.close() } } }
        let allConnected = await wait(for: opened.count, of: { progress.connected.load(ordering: .relaxed) }, upTo: .seconds(120))
        let connectSeconds = start.duration(to: .now).seconds
        // Every connection knows its whole room.
        let expectedKnown = rooms * self.roomSize * self.roomSize
        _ = await wait(for: expectedKnown, of: { progress.knownUsers.load(ordering: .relaxed) }, upTo: .seconds(120))
        let peak = PeakMemory(server: bench.server)
        let held = ContinuousClock.now

        var result = WorkloadResult(name: self.roomMessagesPerSecond > 0 ? "soak" : "idle")
        if self.roomMessagesPerSecond > 0 {
            // Each room's owner speaks, on a connection of its own: the idle ones are visitors, who may not.
            let speakers = try await concurrentMap(sessionIDs, width: Workbench.connectWidth) {
                try await bench.webSocket(bench.owner, sessionID: $0, receiver: Receiver(progress: Progress()))
            }
            defer { Task { _ = try? await concurrentMap(speakers, width: 256) { await $0.close() } } }
            let sent = try await self.chat(through: speakers, from: held, sampling: bench.server, into: &result)
            let expected = sent * opened.count
            _ = await wait(for: expected, of: { progress.delivered.load(ordering: .relaxed) }, stallingAfter: .seconds(3), upTo: .seconds(30))
            result["messages"] = .int(sent * speakers.count)
            result["refused"] = .int(progress.errors.load(ordering: .relaxed))
            result.recordDeliveries(of: opened.map(\.1.result), expected: expected, over: self.seconds)
        } else {
            try await Task.sleep(for: .seconds(self.seconds))
        }
        let after = bench.server.usage()
        let peakRSS = await peak.stop()

        result["connections"] = .int(opened.count)
        result["rooms"] = .int(rooms)
        result["room_size"] = .int(self.roomSize)
        result["connect_s"] = .number(connectSeconds)
        result["held_s"] = .number(held.duration(to: .now).seconds)
        result["all_connected"] = .flag(allConnected)
        result["closed_early"] = .int(progress.closed.load(ordering: .relaxed))
        result["all_open_at_end"] = .flag(allConnected && progress.closed.load(ordering: .relaxed) == 0)
        result.recordMemory(before: before, after: after, peak: peakRSS, connections: opened.count)
        return result
    }

    /// Sends each room its messages until `seconds` after `start`, sampling the server's memory as it goes; returns
    /// how many each room was sent.
    private func chat(
        through speakers: [WebSocketConnection], from start: ContinuousClock.Instant, sampling server: ServerUnderTest,
        into result: inout WorkloadResult
    ) async throws -> Int {
        let interval = Duration.seconds(1) / self.roomMessagesPerSecond
        let count = Int(self.seconds * Double(self.roomMessagesPerSecond))
        var samples: [(at: Duration, rssMB: Double)] = []
        var nextSample = start
        for sequence in 0..<count {
            try await Task.sleep(until: start + interval * sequence, clock: .continuous)
            for speaker in speakers {
                speaker.send(#"{"type": "chat_message", "content": "\#(Receiver.probe(sequence: sequence))"}"#)
            }
            if ContinuousClock.now >= nextSample, let usage = server.usage() {
                samples.append((start.duration(to: .now), Double(usage.rssBytes) / 1_048_576))
                nextSample += Self.sampleEvery
            }
        }
        let settled = samples.filter { $0.at >= Self.warmUp }.map(\.rssMB)
        if let first = settled.first, let last = settled.last, let low = settled.min(), let high = settled.max() {
            result["rss_after_first_minute_mb"] = .number(first)
            result["rss_at_end_mb"] = .number(last)
            result["rss_growth_after_first_minute_mb"] = .number(last - first)
            result["rss_range_after_first_minute_mb"] = .text("\(Int(low.rounded()))-\(Int(high.rounded()))")
        }
        // The whole series, `seconds:MB`, to tell a plateau from a slope.
        result["rss_samples_mb"] = .text(samples.map { "\(Int($0.at.seconds.rounded())):\(Int($0.rssMB.rounded()))" }.joined(separator: " "))
        return count
    }
}
