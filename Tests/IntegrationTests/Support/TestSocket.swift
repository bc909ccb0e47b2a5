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
        self.run = Task {
            do {
                let close = try await client.run()
                received.end("closed with \(close.map { String(UInt16(webSocketErrorCode: $0.closeCode)) } ?? "no code")")
                return close
            } catch {
                received.end("failed: \(error)")
                throw error
            }
        }
    }

    /// Connects to a session with a token in the query, and waits for `connected`.
    static func join(port: Int, sessionID: String, token: String, since: Int64? = nil) async throws -> (TestSocket, [String: Any]) {
        let socket = TestSocket(port: port, path: "/ws/session/\(sessionID)?token=\(token)" + (since.map { "&since=\($0)" } ?? ""))
        let connected = try await socket.next(type: "connected")
        return (socket, connected)
    }

    func send(_ json: [String: Any]) {
        self.commands.yield(.send(String(decoding: JSONText.encode(json), as: UTF8.self)))
    }

    func sendRaw(_ text: String) {
        self.commands.yield(.send(text))
    }

    /// Waits for the first frame not yet taken that matches; earlier frames stay for later calls.
    func next(
        type: String? = nil, timeout: Duration = .seconds(10), where matches: @escaping ([String: Any]) -> Bool = { _ in true }
    )
        async throws -> [String: Any]
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            // Read the ending first: a frame that arrived before the close is still found below.
            let ended = self.received.ending
            if let frame = self.received.take(where: { (type == nil || $0["type"] as? String == type) && matches($0) }) { return frame }
            if let ended { throw CurlError(message: "no matching frame; the connection \(ended); received: \(self.received.texts)") }
            guard ContinuousClock.now < deadline else {
                throw CurlError(message: "no matching frame within \(timeout); received: \(self.received.texts)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Every frame received so far, in order.
    var frames: [[String: Any]] { self.received.all }

    /// Closes from our side and waits (a few seconds at most) for the connection to end.
    func close() async {
        self.commands.yield(.close)
        let run = self.run
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await run.value }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                run.cancel()
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Waits for the server to close the connection and returns its close code.
    ///
    /// On timeout the client is cancelled: awaiting a task's value ignores cancellation, so without that a client that
    /// never ends would keep this group, and the test, waiting forever.
    func closeCode(timeout: Duration = .seconds(10)) async throws -> Int? {
        let run = self.run
        return try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { try await run.value.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) } }
            group.addTask {
                try await Task.sleep(for: timeout)
                run.cancel()
                throw CurlError(message: "the server did not close the WebSocket within \(timeout); received: \(self.received.texts)")
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}

/// Frames (JSON text) as they arrive, each parsed once, and how the connection ended.
final class FrameLog: Sendable {
    /// A parsed frame; immutable, so it may cross tasks although `[String: Any]` is not Sendable.
    private final class Frame: @unchecked Sendable {
        let text: String
        let json: [String: Any]?

        init(_ text: String) {
            self.text = text
            self.json = FrameLog.parse(text)
        }
    }

    private let state = Mutex<(frames: [Frame], taken: Set<Int>, ending: String?)>(([], [], nil))

    func append(_ text: String) {
        FrameRecorder.shared.record(text)
        let frame = Frame(text)
        self.state.withLock { $0.frames.append(frame) }
    }

    var all: [[String: Any]] {
        self.state.withLock { $0.frames }.compactMap(\.json)
    }

    var texts: [String] { self.state.withLock { $0.frames.map(\.text) } }

    /// How the connection ended, once it has: its close code, or the client's error.
    var ending: String? { self.state.withLock { $0.ending } }

    func end(_ description: String) {
        self.state.withLock { $0.ending = description }
    }

    /// Takes the first frame not yet taken that matches; earlier frames stay for later calls.
    func take(where matches: ([String: Any]) -> Bool) -> [String: Any]? {
        self.state.withLock { state -> [String: Any]? in
            for (index, frame) in state.frames.enumerated() where !state.taken.contains(index) {
                if let json = frame.json, matches(json) {
                    state.taken.insert(index)
                    return json
                }
            }
            return nil
        }
    }

    static func parse(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}
