import Foundation
import Glibc
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
    private let process: Process?

    var pid: Int32? { self.process?.processIdentifier }

    private init(endpoint: Endpoint, process: Process?) {
        self.endpoint = endpoint
        self.process = process
    }

    static func attach(url: String) throws -> ServerUnderTest {
        guard let components = URLComponents(string: url), let host = components.host else { throw BenchError("not a URL: \(url)") }
        return ServerUnderTest(endpoint: Endpoint(host: host, port: components.port ?? 80), process: nil)
    }

    /// Starts `binary` in a fresh folder on a free loopback port, with `environment` besides the benchmark's, and
    /// waits for its "listening" line.
    static func launch(binary: String, environment: [String: String] = [:]) async throws -> ServerUnderTest {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sessionhub-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let logURL = folder.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.currentDirectoryURL = folder
        process.environment = ["PATH": "/usr/bin:/bin", "HOST": "127.0.0.1", "PORT": "0", "LOG_FORMAT": "json"]
            .merging(self.benchmarkEnvironment) { $1 }.merging(environment) { $1 }
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            if let port = Self.listeningPort(in: text) {
                return ServerUnderTest(endpoint: Endpoint(host: "127.0.0.1", port: port), process: process)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw BenchError("\(binary) did not start; its log is \(logURL.path)")
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
        self.pid.flatMap(ProcessUsage.of(pid:))
    }

    func stop() async {
        guard let process = self.process, process.isRunning else { return }
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
