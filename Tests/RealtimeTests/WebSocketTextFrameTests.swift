import Models
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Realtime

/// Broadcasts are framed once and written below NIOWebSocket's frame encoder: the bytes must be the encoder's own.
@Suite("A broadcast framed once")
struct WebSocketTextFrameTests {
    /// What NIOWebSocket's encoder writes for final, unmasked text frames carrying `payloads`, then `after`.
    static func encoded(_ payloads: [ByteBuffer], then after: [WebSocketFrame] = []) throws -> ByteBuffer {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        for payload in payloads { try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .text, data: payload)) }
        for frame in after { try channel.writeOutbound(frame) }
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

    /// A heartbeat is a ping, which goes through the encoder like any control frame.
    @Test func theSinkWritesEachFrameOnceFramedBelowTheEncoder() throws {
        let handler = LiveSocketHandler(accepted: nil)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([WebSocketFrameEncoder(), handler])
        let sink = LiveSocketSink(handler: NIOLoopBound(handler, eventLoop: channel.eventLoop), channel: channel)
        let frames: [OutboundFrame] = [
            .pong(ref: .string("first"), sessionID: "s"),
            .error(code: .validationFailed, message: String(repeating: "long ", count: 40), sessionID: "s"),
            .ack(ref: .number(3), eventID: 42, sessionID: "s"),
        ]
        sink.write(frames.map(Subscriber.Outgoing.frame) + [.heartbeat], promise: nil)
        let ping = WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())
        #expect(try Self.written(by: channel) == (try Self.encoded(frames.map(\.json), then: [ping])))
    }
}
