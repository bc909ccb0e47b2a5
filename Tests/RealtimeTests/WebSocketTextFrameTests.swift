import Models
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Realtime

/// Broadcasts are framed once and written below NIOWebSocket's frame encoder: the bytes must be the encoder's own.
@Suite("A broadcast framed once")
struct WebSocketTextFrameTests {
    /// What NIOWebSocket's encoder writes for a final, unmasked text frame carrying `payload`.
    static func encoded(_ payloads: [ByteBuffer]) throws -> ByteBuffer {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        for payload in payloads { try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .text, data: payload)) }
        return try Self.written(by: channel)
    }

    static func written(by channel: EmbeddedChannel) throws -> ByteBuffer {
        var bytes = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&part) }
        return bytes
    }

    /// Each length form at its edges: 7 bits, 16 bits, 64 bits; text with multi-byte characters.
    @Test(arguments: [0, 1, 125, 126, 127, 65_535, 65_536, 200_001])
    func theFrameIsWhatTheEncoderWrites(length: Int) throws {
        let text = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
        let (frame, payload) = WebSocketTextFrame.make(text)
        #expect(frame == (try Self.encoded([ByteBuffer(string: text)])))
        #expect(payload == ByteBuffer(string: text))
    }

    @Test func theSinkWritesEachFrameOnceFramedBelowTheEncoder() throws {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        let frames: [OutboundFrame] = [
            .pong(ref: .string("first"), sessionID: "s"),
            .error(code: .validationFailed, message: String(repeating: "long ", count: 40), sessionID: "s"),
            .ack(ref: .number(3), eventID: 42, sessionID: "s"),
        ]
        WebSocketSink(channel: channel).write(frames.map(Subscriber.Outgoing.frame) + [.heartbeat], promise: nil)
        #expect(try Self.written(by: channel) == (try Self.encoded(frames.map(\.json))))
    }
}
