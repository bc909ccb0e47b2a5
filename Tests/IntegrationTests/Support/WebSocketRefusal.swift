import NIOCore
import NIOPosix
import Synchronization
import Testing
import WebSocketClient

/// What the server says to a WebSocket it refuses: the frames, then the close code.
///
/// A refusal comes in the same breath as the `101` answer, and hummingbird-websocket's client sometimes loses bytes
/// that arrive in the same read as the `101` (then neither the error nor the close reaches the test, and its
/// connection never ends). The benchmark's NIO client passes them on, so refusals are read with it.
struct WebSocketRefusal {
    let frames: [[String: Any]]
    let closeCode: Int

    /// Opens `path` and collects until the server closes, failing after `timeout`.
    static func collect(port: Int, path: String, timeout: Duration = .seconds(10)) async throws -> WebSocketRefusal {
        let log = RefusalLog()
        let connection = try await WebSocketConnection.connect(
            to: Endpoint(host: "127.0.0.1", port: port), path: path, receiver: log, group: MultiThreadedEventLoopGroup.singleton
        )
        let deadline = ContinuousClock.now + timeout
        while log.closeCode == nil {
            guard ContinuousClock.now < deadline else {
                await connection.close()
                throw CurlError(message: "\(path): no close within \(timeout); received: \(log.texts)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        try? await connection.channel.close()
        return WebSocketRefusal(frames: log.texts.compactMap(FrameLog.parse), closeCode: try #require(log.closeCode))
    }
}

/// Messages and the close code, as the connection's event loop reports them.
private final class RefusalLog: FrameReceiver {
    private let state = Mutex<(texts: [String], closeCode: Int?)>(([], nil))

    var texts: [String] { self.state.withLock { $0.texts } }
    var closeCode: Int? { self.state.withLock { $0.closeCode } }

    func handle(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        FrameRecorder.shared.record(text)
        self.state.withLock { $0.texts.append(text) }
    }

    func closed(code: Int) {
        self.state.withLock { state in if state.closeCode == nil { state.closeCode = code } }
    }
}
