import Foundation
import Synchronization
import Testing

/// The real `sessionhub` binary, started in a temporary folder on a free port (PORT=0; the port is read from its log).
final class ServerProcess: Sendable {
    let process: Process
    let folder: URL
    let port: Int
    private let output: ProcessOutput

    var client: CurlClient { CurlClient(baseURL: "http://127.0.0.1:\(self.port)") }

    /// The binary SwiftPM built next to this test bundle, or SESSIONHUB_BINARY.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SESSIONHUB_BINARY"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sessionhub")
    }

    /// Settings every test server gets: loopback, a fast bcrypt cost, a file-backed store in the folder. Every client of
    /// a test is 127.0.0.1, so the per-address limits are raised; the suites about them set their own.
    static let baseEnvironment = [
        "HOST": "127.0.0.1", "PORT": "0", "BCRYPT_COST": "4", "LOG_FORMAT": "json", "LOG_LEVEL": "info",
        "CONNECTS_PER_MINUTE": "1000000", "LOGIN_ATTEMPTS_PER_MINUTE": "1000000",
    ]

    /// Starts a server and waits until it logs the port it listens on.
    init(environment: [String: String] = [:], folder: URL? = nil) async throws {
        self.folder = try folder ?? Self.makeFolder()
        let settings = Self.baseEnvironment.merging(TestStore.environment(key: self.folder.lastPathComponent)) { $1 }.merging(environment) { $1 }
        let (process, output) = try Self.launch(arguments: [], environment: settings, in: self.folder)
        self.process = process
        self.output = output
        guard let port = await output.waitForPort(timeout: .seconds(30)) else {
            process.terminate()
            throw CurlError(message: "sessionhub did not start; output:\n\(output.text)")
        }
        self.port = port
    }

    /// Sends SIGTERM and waits for the exit status. A server that has not shut down within the deadline is a failed
    /// test (and is killed), not a hung run.
    @discardableResult
    func stop() async -> Int32 {
        if self.process.isRunning { self.process.terminate() }
        if !(await Self.waitForExit(of: self.process, within: Self.shutdownDeadline)) {
            Issue.record("sessionhub did not stop within \(Self.shutdownDeadline) of SIGTERM; log:\n\(self.log.suffix(4000))")
            await self.killAbruptly()
        }
        return self.process.terminationStatus
    }

    /// SIGKILL: no shutdown, no flush, as a power cut looks to the process (not to the disk).
    func killAbruptly() async {
        Foundation.kill(self.process.processIdentifier, SIGKILL)
        _ = await Self.waitForExit(of: self.process, within: .seconds(30))
    }

    /// Graceful shutdown waits for open responses; the slowest test server has a few streams to end.
    static let shutdownDeadline: Duration = .seconds(30)

    /// Whether the process ended within `deadline`.
    static func waitForExit(of process: Process, within deadline: Duration) async -> Bool {
        let end = ContinuousClock.now + deadline
        while process.isRunning {
            guard ContinuousClock.now < end else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    var log: String { self.output.text }

    static func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sessionhub-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs a program (the server by default, for --help and refused configurations) to completion: its exit status
    /// and everything it printed.
    static func run(
        _ executable: URL = binary, arguments: [String], environment: [String: String] = [:]
    ) async throws
        -> (status: Int32, output: String)
    {
        let (process, output) = try self.launch(executable, arguments: arguments, environment: environment, in: try self.makeFolder())
        guard await self.waitForExit(of: process, within: .seconds(60)) else {
            Foundation.kill(process.processIdentifier, SIGKILL)
            throw CurlError(message: "\(executable.lastPathComponent) \(arguments) did not end within 60 s; output:\n\(output.text)")
        }
        try await output.waitUntilClosed()
        return (process.terminationStatus, output.text)
    }

    private static func launch(
        _ executable: URL = binary, arguments: [String], environment: [String: String], in folder: URL
    ) throws
        -> (Process, ProcessOutput)
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        // Only what the test sets: the developer's own .env or variables must not leak in.
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { current, _ in current }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = ProcessOutput()
        output.drain(pipe.fileHandleForReading)
        try process.run()
        return (process, output)
    }
}

/// Runs `body` against a fresh server and stops the server afterwards, whether `body` succeeded or threw.
func withServer<Result>(
    environment: [String: String] = [:],
    folder: URL? = nil,
    _ body: (ServerProcess, CurlClient) async throws -> Result
) async throws -> Result {
    let server = try await ServerProcess(environment: environment, folder: folder)
    do {
        let result = try await body(server, server.client)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Everything a child process printed, read on a background thread so its pipe never fills up.
final class ProcessOutput: Sendable {
    private let buffer = Mutex(Data())
    private let closed = Atomic(false)

    var text: String { self.buffer.withLock { String(decoding: $0, as: UTF8.self) } }

    func drain(_ handle: FileHandle) {
        Thread.detachNewThread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return self.closed.store(true, ordering: .sequentiallyConsistent) }
                self.buffer.withLock { $0.append(chunk) }
            }
        }
    }

    /// Waits until the process's end of the pipe closed, so `text` has everything it printed.
    func waitUntilClosed() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !self.closed.load(ordering: .sequentiallyConsistent) {
            guard ContinuousClock.now < deadline else { throw CurlError(message: "the output pipe did not close") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The port of the "SessionHub listening" log line, polling until it appears.
    func waitForPort(timeout: Duration) async -> Int? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in self.text.split(separator: "\n") where line.contains("SessionHub listening") {
                if let data = line.data(using: .utf8),
                    let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                    let port = (object["port"] as? String).flatMap(Int.init)
                {
                    return port
                }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
