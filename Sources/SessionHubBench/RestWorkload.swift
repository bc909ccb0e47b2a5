import NIOHTTP1
import Synchronization
import WebSocketClient

/// Requests a second and latency of three REST calls, each from `connections` keep-alive connections for `seconds`.
struct RestWorkload: Sendable {
    let connections: Int
    let seconds: Double

    struct Call: Sendable {
        let label: String
        let method: HTTPMethod
        let path: String
        let token: String?
        let json: String?
    }

    func run(on bench: Workbench) async throws -> [WorkloadResult] {
        let sessionID = try await bench.createSession(named: "rest")
        let calls = [
            Call(label: "GET /health", method: .GET, path: "/health", token: nil, json: nil),
            Call(label: "GET /api/sessions", method: .GET, path: "/api/sessions?limit=20", token: bench.owner.token, json: nil),
            Call(
                label: "POST /api/sessions/{id}/messages", method: .POST, path: "/api/sessions/\(sessionID)/messages",
                token: bench.owner.token, json: #"{"content": "a persisted benchmark message"}"#
            ),
        ]
        var results: [WorkloadResult] = []
        for call in calls { results.append(try await self.measure(call, on: bench)) }
        return results
    }

    private func measure(_ call: Call, on bench: Workbench) async throws -> WorkloadResult {
        let clients = try await concurrentMap(Array(0..<self.connections), width: 16) { _ in
            try await HTTPConnection.connect(to: bench.endpoint, group: bench.group)
        }
        defer { Task { for client in clients { await client.close() } } }
        let meter = UsageMeter(bench: bench)
        let start = ContinuousClock.now
        let deadline = start + .seconds(self.seconds)
        let samples = try await concurrentMap(clients, width: clients.count) { client in
            var latencies: [UInt32] = []
            var failures = 0
            while ContinuousClock.now < deadline {
                let sent = monotonicNanos()
                let response = try await client.send(call.method, call.path, token: call.token, json: call.json)
                latencies.append(UInt32((monotonicNanos() - sent) / 1000))
                if !(200..<300).contains(response.status) { failures += 1 }
            }
            return (latencies, failures)
        }
        let elapsed = start.duration(to: .now).seconds

        let latencies = Latencies(samples.flatMap(\.0))
        var result = WorkloadResult(name: "rest")
        result["call"] = .text(call.label)
        if bench.storesInPostgres { result["store"] = .text("postgres") }
        result["connections"] = .int(self.connections)
        result["requests"] = .int(latencies.sortedMicros.count)
        result["failed"] = .int(samples.reduce(0) { $0 + $1.1 })
        result["requests_per_s"] = .number(Double(latencies.sortedMicros.count) / elapsed)
        FanoutWorkload.addPercentiles(latencies, prefix: "", to: &result)
        await meter.finish(into: &result, seconds: elapsed)
        return result
    }
}
