import Foundation
import Glibc
import NIOCore
import NIOPosix
import WebSocketClient

@main
struct BenchMain {
    static func main() async {
        do {
            let options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
            try await self.run(options)
        } catch {
            FileHandle.standardError.write(Data("sessionhub-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ options: BenchOptions) async throws {
        Self.raiseOpenFileLimit()
        var servers: [ServerUnderTest] = []
        if let url = options.nchan {
            servers = [try ServerUnderTest.attach(url: url, measuring: options.measuredPIDs)]
            self.say("driving nginx with nchan at \(url)")
        } else if let url = options.url {
            servers = [try ServerUnderTest.attach(url: url, measuring: options.measuredPIDs)]
            self.say("driving \(url); set its limits as \(Self.raisedLimits) for comparable figures")
        } else {
            var environment: [String: String] = [:]
            if let database = options.database {
                environment["DATABASE_URL"] = database
                environment["DATABASE_SCHEMA"] = "bench_" + UUID().uuidString.prefix(8).lowercased()
            }
            for _ in 0..<options.nodes {
                let server = try await ServerUnderTest.launch(binary: options.server, environment: environment)
                self.say("started \(options.server) (pid \(server.pid ?? 0)) on port \(server.endpoint.port) with \(Self.raisedLimits)")
                servers.append(server)
            }
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        do {
            let results =
                options.nchan == nil
                ? try await self.runWorkloads(options, servers: servers, group: group)
                : try await self.runReference(options, server: servers[0], group: group)
            try await group.shutdownGracefully()
            for server in servers { await server.stop() }
            try self.write(results, to: options.output)
            print("\n" + Report.table(results))
            print("\nmachine: \(System.coreCount) cores, \(Self.cpuModel()); results in \(options.output)/")
        } catch {
            try? await group.shutdownGracefully()
            for server in servers { await server.stop() }
            throw error
        }
    }

    private static func runWorkloads(
        _ options: BenchOptions, servers: [ServerUnderTest], group: MultiThreadedEventLoopGroup
    ) async throws
        -> [WorkloadResult]
    {
        self.say("registering \(options.userCount + 1) users")
        let bench = try await Workbench.prepare(
            servers: servers, storesInPostgres: options.storesInPostgres, group: group, users: options.userCount)
        var results: [WorkloadResult] = []
        func finished(_ result: WorkloadResult) { results.append(self.announce(result)) }
        for (index, workload) in options.workloads.enumerated() {
            // Each workload's memory is its own: the allocator keeps what an earlier one's peak took.
            if index > 0 { for server in servers { try await server.restart() } }
            switch workload {
            case "fanout":
                for size in options.fanoutSizes {
                    self.say("fanout: \(size) subscribers, \(options.rate) msg/s for \(options.fanoutSeconds) s")
                    finished(
                        try await FanoutWorkload(subscribers: size, sseShare: 0, rate: options.rate, seconds: options.fanoutSeconds).run(on: bench))
                }
                for size in options.sharedAccountSizes {
                    self.say("fanout: \(size) subscribers on one account, \(options.rate) msg/s for \(options.fanoutSeconds) s")
                    var shared = FanoutWorkload(subscribers: size, sseShare: 0, rate: options.rate, seconds: options.fanoutSeconds)
                    shared.sharedAccount = true
                    finished(try await shared.run(on: bench))
                }
            case "mixed":
                self.say("mixed: \(options.mixedSize) subscribers, half on SSE")
                let mixed = FanoutWorkload(subscribers: options.mixedSize, sseShare: 0.5, rate: options.rate, seconds: options.fanoutSeconds)
                finished(try await mixed.run(on: bench))
            case "throughput":
                self.say("throughput: \(options.throughputSubscribers) subscribers, \(options.throughputPublishers) publishers, window 16")
                let throughput = ThroughputWorkload(
                    subscribers: options.throughputSubscribers, publishers: options.throughputPublishers, window: 16,
                    seconds: options.throughputSeconds
                )
                finished(try await throughput.run(on: bench))
            case "idle":
                self.say("idle: \(options.idleConnections) connections in rooms of \(options.roomSize)")
                let idle = IdleWorkload(connections: options.idleConnections, roomSize: options.roomSize, seconds: options.idleSeconds)
                finished(try await idle.run(on: bench))
            case BenchOptions.soak:
                self.say(
                    "soak: \(options.idleConnections) connections in rooms of \(options.roomSize), a message a second each, \(options.soakSeconds) s")
                var soak = IdleWorkload(connections: options.idleConnections, roomSize: options.roomSize, seconds: options.soakSeconds)
                soak.roomMessagesPerSecond = 1
                finished(try await soak.run(on: bench))
            case "rest":
                self.say("rest: \(options.restConnections) connections, \(options.restSeconds) s per call")
                for result in try await RestWorkload(connections: options.restConnections, seconds: options.restSeconds).run(on: bench) {
                    finished(result)
                }
            default:
                break
            }
            // Let the workload's connections close before the server restarts.
            try await Task.sleep(for: .seconds(1))
        }
        return results
    }

    /// nchan's side of the comparison: the fan-out sizes and the idle connections of `options`.
    private static func runReference(
        _ options: BenchOptions, server: ServerUnderTest, group: MultiThreadedEventLoopGroup
    ) async throws -> [WorkloadResult] {
        let nchan = NchanReference(server: server, group: group)
        var results: [WorkloadResult] = []
        if options.workloads.contains("fanout") {
            for size in options.fanoutSizes {
                self.say("nchan fanout: \(size) subscribers, \(options.rate) msg/s for \(options.fanoutSeconds) s")
                results.append(self.announce(try await nchan.fanout(subscribers: size, rate: options.rate, seconds: options.fanoutSeconds)))
                try await Task.sleep(for: .seconds(1))
            }
        }
        if options.workloads.contains("idle") {
            self.say("nchan idle: \(options.idleConnections) connections in channels of \(options.roomSize)")
            results.append(
                self.announce(try await nchan.idle(connections: options.idleConnections, roomSize: options.roomSize, seconds: options.idleSeconds)))
            try await Task.sleep(for: .seconds(1))
        }
        return results
    }

    /// Unbuffered, so a long run shows each workload as it finishes.
    private static func announce(_ result: WorkloadResult) -> WorkloadResult {
        FileHandle.standardOutput.write(Data((result.jsonLine + "\n").utf8))
        return result
    }

    private static func write(_ results: [WorkloadResult], to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lines = results.map(\.jsonLine).joined(separator: "\n") + "\n"
        try lines.write(toFile: "\(folder)/results.jsonl", atomically: true, encoding: .utf8)
        let series = results.filter { $0.name == "fanout" || $0.name == "mixed" }.flatMap(\.latencySeries)
        if !series.isEmpty {
            try LatencyChart.svg(series).write(toFile: "\(folder)/fanout-latency.svg", atomically: true, encoding: .utf8)
        }
    }

    private static var raisedLimits: String {
        ServerUnderTest.benchmarkEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Thousands of sockets need more descriptors than a shell's default soft limit.
    private static func raiseOpenFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    private static func cpuModel() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
    }

    static func say(_ text: String) {
        FileHandle.standardError.write(Data("[bench] \(text)\n".utf8))
    }
}
