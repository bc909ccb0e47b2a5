import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization
import Testing

/// A real WebSocket client (hummingbird-websocket's) connected to the test server, recording every frame it receives.
final class TestSocket: Sendable {
    private enum Command: Sendable {
        case send(String)
        case close
    }

    private let received = FrameLog()
    private let commands: AsyncStream<Command>.Continuation
    private let run: Task<WebSocketCloseFrame?, any Error>

    /// Connects to `path` (for example `/ws/session/ID?token=...`). A socket that is not `reading` never consumes what
    /// the server sends: a stalled client, whose TCP window fills up.
    init(port: Int, path: String, headers: [String: String] = [:], reading: Bool = true) {
        let (stream, commands) = AsyncStream.makeStream(of: Command.self)
        self.commands = commands
        let received = self.received
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 22)
        for (name, value) in headers { configuration.additionalHeaders[.init(name)!] = value }
        let client = WebSocketClient(url: "ws://127.0.0.1:\(port)\(path)", configuration: configuration, logger: Logger(label: "test-socket")) {
            inbound, outbound, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    guard reading else { return try await Task.sleep(for: .seconds(3600)) }
                    for try await message in inbound.messages(maxSize: 1 << 22) {
                        if case .text(let text) = message { received.append(text) }
                    }
                }
                group.addTask {
                    for await command in stream {
                        switch command {
                        case .send(let text): try await outbound.write(.text(text))
                        case .close:
                            try await outbound.close(.normalClosure, reason: nil)
                            return
                        }
                    }
                }
                // The server closing ends the inbound loop; our close ends the command loop.
                try await group.next()
                group.cancelAll()
            }
        }
        self.run = Task { try await client.run() }
    }

    /// Connects to a session with a token in the query, and waits for `connected`.
    static func join(port: Int, sessionID: String, token: String, since: Int64? = nil) async throws -> (TestSocket, [String: Any]) {
        let socket = TestSocket(port: port, path: "/ws/session/\(sessionID)?token=\(token)" + (since.map { "&since=\($0)" } ?? ""))
        let connected = try await socket.next(type: "connected")
        return (socket, connected)
    }

    func send(_ json: [String: Any]) {
        self.commands.yield(.send(String(decoding: CurlClient.encode(json), as: UTF8.self)))
    }

    func sendRaw(_ text: String) {
        self.commands.yield(.send(text))
    }

    /// Waits for the first frame not yet taken that matches; earlier frames stay for later calls.
    func next(type: String? = nil, timeout: Duration = .seconds(5), where matches: @escaping ([String: Any]) -> Bool = { _ in true })
        async throws -> [String: Any]
    {
        try await self.received.next(timeout: timeout) { frame in (type == nil || frame["type"] as? String == type) && matches(frame) }
    }

    /// Every frame received so far, in order.
    var frames: [[String: Any]] { self.received.all }

    /// Closes from our side and waits for the connection to end.
    func close() async {
        self.commands.yield(.close)
        _ = try? await self.run.value
    }

    /// Waits for the server to close the connection and returns its close code.
    func closeCode(timeout: Duration = .seconds(10)) async throws -> Int? {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { try await self.run.value.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) } }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw CurlError(message: "the server did not close the WebSocket within \(timeout)")
            }
            let code = try await group.next() ?? nil
            group.cancelAll()
            return code
        }
    }
}

/// Frames (JSON text) as they arrive, and waiting for one that matches.
final class FrameLog: Sendable {
    private let state = Mutex<(frames: [String], taken: Set<Int>)>(([], []))

    func append(_ text: String) {
        self.state.withLock { $0.frames.append(text) }
    }

    var all: [[String: Any]] {
        self.state.withLock { $0.frames }.compactMap(Self.parse)
    }

    func next(timeout: Duration, where matches: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = self.state.withLock { state -> [String: Any]? in
                for (index, text) in state.frames.enumerated() where !state.taken.contains(index) {
                    if let frame = Self.parse(text), matches(frame) {
                        state.taken.insert(index)
                        return frame
                    }
                }
                return nil
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CurlError(message: "no matching frame within \(timeout); received: \(self.state.withLock { $0.frames })")
    }

    static func parse(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}
