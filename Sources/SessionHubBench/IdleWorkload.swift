import Synchronization
import WebSocketClient

/// `connections` WebSockets in rooms of `roomSize`, held open and silent for `seconds`: what a connection costs the
/// server in memory, and whether every one survives.
struct IdleWorkload: Sendable {
    let connections: Int
    let roomSize: Int
    let seconds: Double

    func run(on bench: Workbench) async throws -> WorkloadResult {
        let rooms = max(1, self.connections / self.roomSize)
        let sessionIDs = try await concurrentMap(Array(0..<rooms), width: 16) { try await bench.createSession(named: "idle-\($0)") }
        let before = bench.server.usage()
        let progress = Progress()
        let pool = bench.users.count - 1
        let start = ContinuousClock.now
        let opened = try await concurrentMap(Array(0..<(rooms * self.roomSize)), width: Workbench.connectWidth) { index in
            let user = bench.users[1 + index % pool]
            return try await bench.webSocket(user, sessionID: sessionIDs[index / self.roomSize], receiver: Receiver(progress: progress))
        }
        defer { Task { _ = try? await concurrentMap(opened, width: 256) { await $0.close() } } }
        let allConnected = await wait(for: opened.count, of: { progress.connected.load(ordering: .relaxed) }, upTo: .seconds(120))
        let connectSeconds = start.duration(to: .now).seconds
        // Every connection knows its whole room.
        let expectedKnown = rooms * self.roomSize * self.roomSize
        _ = await wait(for: expectedKnown, of: { progress.knownUsers.load(ordering: .relaxed) }, upTo: .seconds(120))
        let peak = PeakMemory(server: bench.server)
        let held = ContinuousClock.now
        try await Task.sleep(for: .seconds(self.seconds))
        let after = bench.server.usage()
        let peakRSS = await peak.stop()

        var result = WorkloadResult(name: "idle")
        result["connections"] = .int(opened.count)
        result["rooms"] = .int(rooms)
        result["room_size"] = .int(self.roomSize)
        result["connect_s"] = .number(connectSeconds)
        result["held_s"] = .number(held.duration(to: .now).seconds)
        result["all_connected"] = .flag(allConnected)
        result["closed_early"] = .int(progress.closed.load(ordering: .relaxed))
        result["all_open_at_end"] = .flag(allConnected && progress.closed.load(ordering: .relaxed) == 0)
        if let before, let after {
            result["server_rss_before_mb"] = .number(Double(before.rssBytes) / 1_048_576)
            result["server_rss_after_mb"] = .number(Double(after.rssBytes) / 1_048_576)
            result["server_peak_rss_mb"] = .number(Double(peakRSS) / 1_048_576)
            result["rss_per_connection_kb"] = .number(Double(after.rssBytes - before.rssBytes) / Double(opened.count) / 1024)
        }
        return result
    }
}
