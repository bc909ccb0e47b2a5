import Foundation
import Testing

/// The benchmark program is not part of the suite's figures, but it must keep working: a few seconds of every
/// workload against the debug server, and every message accounted for. It loads both cores, so it runs among the
/// realtime suites, one at a time, where it cannot starve another suite's live connections of their deadlines.
extension RealtimeIntegration {
    @Suite("sessionhub-bench smoke run")
    struct BenchmarkSmokeTests {
        @Test("every workload runs with small sizes, delivers everything once and writes its results and chart")
        func quickRunOfEveryWorkload() async throws {
            let output = try ServerProcess.makeFolder()
            let bench = ServerProcess.binary.deletingLastPathComponent().appendingPathComponent("sessionhub-bench")
            let (status, printed) = try await ServerProcess.run(
                bench,
                arguments: [
                    "--quick", "--workloads", "fanout,throughput,mixed,idle,soak,rest", "--server", ServerProcess.binary.path, "--out", output.path,
                ]
            )
            #expect(status == 0, "sessionhub-bench failed:\n\(printed)")

            let results = try Self.results(in: output)
            #expect(
                results.compactMap { $0["workload"] as? String } == [
                    "fanout", "fanout", "throughput", "mixed", "idle", "soak", "rest", "rest", "rest",
                ])
            for result in results {
                let name = try #require(result["workload"] as? String)
                if ["fanout", "throughput", "mixed", "soak"].contains(name) {
                    try Self.expectEveryMessageOnce(result)
                    #expect(result["refused"] as? Int == 0, "\(name) had messages refused: \(result)")
                }
                if ["idle", "soak"].contains(name) { #expect(result["all_open_at_end"] as? Bool == true, "idle connections closed: \(result)") }
                if name == "rest" {
                    #expect(try #require(result["requests"] as? Int) > 0)
                    #expect(result["failed"] as? Int == 0, "REST calls failed: \(result)")
                }
            }
            let chart = try String(contentsOf: output.appendingPathComponent("fanout-latency.svg"), encoding: .utf8)
            #expect(chart.hasPrefix("<svg") && chart.contains("<polyline"))
            #expect(printed.contains("| workload"), "no table printed:\n\(printed)")
        }

        @Test("the reference, nginx with nchan, runs the fan-out and idle workloads with small sizes and measures nginx")
        func quickRunOfTheReference() async throws {
            let output = try ServerProcess.makeFolder()
            let bench = ServerProcess.binary.deletingLastPathComponent().appendingPathComponent("sessionhub-bench")
            let (status, printed) = try await ServerProcess.run(
                HTTPFoundationTests.repositoryRoot.appendingPathComponent("scripts/bench-nchan"),
                arguments: ["--quick", "--out", output.path],
                // nginx lives in /usr/sbin.
                environment: ["SESSIONHUB_BENCH": bench.path, "PATH": "/usr/sbin:/usr/bin:/bin"]
            )
            #expect(status == 0, "scripts/bench-nchan failed:\n\(printed)")

            let results = try Self.results(in: output)
            try #require(results.compactMap { $0["workload"] as? String } == ["fanout", "idle"])
            for result in results {
                #expect(result["reference"] as? String == "nchan")
                // Measured from nginx's workers, as the SessionHub runs are from the server.
                #expect(try #require(result["server_peak_rss_mb"] as? Double, "no memory figure: \(result)") > 0)
            }
            try Self.expectEveryMessageOnce(results[0])
            #expect(results[1]["all_open_at_end"] as? Bool == true, "idle connections closed: \(results[1])")
        }

        private static func results(in output: URL) throws -> [[String: Any]] {
            let lines = try String(contentsOf: output.appendingPathComponent("results.jsonl"), encoding: .utf8).split(separator: "\n")
            return try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        }

        private static func expectEveryMessageOnce(_ result: [String: Any]) throws {
            let name = result["workload"] as? String ?? "?"
            let expected = try #require(result["expected"] as? Int, "\(name) reports no expected count: \(result)")
            #expect(expected > 0, "\(name) sent nothing")
            #expect(result["delivered"] as? Int == expected, "\(name) lost messages: \(result)")
            #expect(result["duplicated"] as? Int == 0, "\(name) duplicated messages: \(result)")
        }
    }
}
