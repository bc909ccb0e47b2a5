import Foundation
import Glibc
import Synchronization
import WebSocketClient

/// CPU time and memory of a process, read from /proc.
struct ProcessUsage: Sendable {
    let cpuSeconds: Double
    let rssBytes: Int

    static func of(pid: Int32) -> ProcessUsage? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return nil }
        // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        let rssLine = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        let rssKB = rssLine.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        return ProcessUsage(cpuSeconds: ticks / Double(sysconf(Int32(_SC_CLK_TCK))), rssBytes: rssKB * 1024)
    }

    /// This benchmark's own CPU time.
    static func client() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// The server the workloads drive: a `sessionhub` binary this program starts (so its CPU and memory can be read),
/// or one already running at a URL.
final class ServerUnderTest: Sendable {
    /// The server's protective limits, raised so the workloads measure the server and not its refusals.
    static let benchmarkEnvironment = [
        "RATE_LIMIT_PER_MINUTE": "100000000",
        "WS_FRAMES_PER_SECOND": "1000000",
        "SUBSCRIBER_QUEUE_EVENTS": "1000000",
        "MAX_SESSIONS_PER_USER": "100000",
        "MAX_CONNECTIONS_PER_USER": "1000000",
        "MAX_CONNECTIONS": "1000000",
        "CONNECTS_PER_MINUTE": "100000000",
        "LOGIN_ATTEMPTS_PER_MINUTE": "100000000",
        "BCRYPT_MAX_QUEUED": "1000000",
        "BCRYPT_COST": "4",
        "LOG_LEVEL": "notice",
    ]

    let endpoint: Endpoint
    /// How it was started, so it can start again; nil for a server this program only attached to.
    private let launched: Launch?
    private let process: Mutex<Process?>
    /// An attached server's processes, whose CPU and memory are summed (nginx's workers); none: no such figures.
    private let measured: [Int32]

    private struct Launch: Sendable {
        let binary: String
        let folder: URL
        let environment: [String: String]
    }

    var pid: Int32? { self.process.withLock { $0?.processIdentifier } }

    private init(endpoint: Endpoint, launched: Launch?, process: Process?, measured: [Int32] = []) {
        self.endpoint = endpoint
        self.launched = launched
        self.process = Mutex(process)
        self.measured = measured
    }

    static func attach(url: String, measuring pids: [Int32] = []) throws -> ServerUnderTest {
        guard let components = URLComponents(string: url), let host = components.host else { throw BenchError("not a URL: \(url)") }
        return ServerUnderTest(endpoint: Endpoint(host: host, port: components.port ?? 80), launched: nil, process: nil, measured: pids)
    }

    /// Starts `binary` in a fresh folder on a free loopback port, with `environment` besides the benchmark's, and
    /// waits for its "listening" line.
    static func launch(binary: String, environment: [String: String] = [:]) async throws -> ServerUnderTest {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sessionhub-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let launch = Launch(binary: binary, folder: folder, environment: self.benchmarkEnvironment.merging(environment) { $1 })
        let (process, port) = try await self.start(launch, port: 0)
        return ServerUnderTest(endpoint: Endpoint(host: "127.0.0.1", port: port), launched: launch, process: process)
    }

    /// Stops the process and starts the binary again in the same folder on the same port, so that the data
    /// (accounts, the JWT key) and every endpoint stay valid while the next workload's memory is measured from a
    /// fresh process rather than from one the workloads before it grew. Nothing for an attached server.
    func restart() async throws {
        guard let launched = self.launched else { return }
        await self.stop()
        let (process, _) = try await Self.start(launched, port: self.endpoint.port)
        self.process.withLock { $0 = process }
    }

    private static func start(_ launch: Launch, port: Int) async throws -> (Process, Int) {
        let logURL = launch.folder.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launch.binary)
        process.currentDirectoryURL = launch.folder
        process.environment = ["PATH": "/usr/bin:/bin", "HOST": "127.0.0.1", "PORT": String(port), "LOG_FORMAT": "json"]
            .merging(launch.environment) { $1 }
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            if let port = Self.listeningPort(in: text) { return (process, port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw BenchError("\(launch.binary) did not start; its log is \(logURL.path)")
    }

    private static func listeningPort(in log: String) -> Int? {
        for line in log.split(separator: "\n") where line.contains("SessionHub listening") {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let port = (object["port"] as? String).flatMap(Int.init)
            {
                return port
            }
        }
        return nil
    }

    func usage() -> ProcessUsage? {
        if let pid = self.pid { return ProcessUsage.of(pid: pid) }
        let each = self.measured.compactMap(ProcessUsage.of(pid:))
        guard !each.isEmpty else { return nil }
        return ProcessUsage(cpuSeconds: each.reduce(0) { $0 + $1.cpuSeconds }, rssBytes: each.reduce(0) { $0 + $1.rssBytes })
    }

    func stop() async {
        guard let process = self.process.withLock({ $0 }), process.isRunning else { return }
        process.terminate()
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }
}

/// Samples the server's RSS while a workload runs and keeps the peak.
final class PeakMemory: Sendable {
    private let task: Task<Int, Never>

    init(server: ServerUnderTest) {
        self.task = Task {
            var peak = server.usage()?.rssBytes ?? 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                peak = max(peak, server.usage()?.rssBytes ?? 0)
            }
            return peak
        }
    }

    func stop() async -> Int {
        self.task.cancel()
        return await self.task.value
    }
}
