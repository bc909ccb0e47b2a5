import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Realtime

/// The WebSocket's closing handshake as the connection's handler plays it (RFC 6455 §5.5.1, §7.4).
@Suite("Closing a WebSocket")
struct ClosingHandshakeTests {
    /// A handler with no connection behind it: the transport alone.
    static func connection() throws -> (EmbeddedChannel, LiveSocketHandler) {
        let handler = LiveSocketHandler(accepted: nil)
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, handler)
    }

    static func close(code: UInt16?) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .connectionClose, data: code.map { ByteBuffer(integer: $0) } ?? ByteBuffer())
    }

    @Test(arguments: [(1000, 1000), (1001, 1001), (4401, 4401), (3000, 3000), (1005, 1002), (1006, 1002), (999, 1002), (5000, 1002)])
    func aClientsCloseIsAnsweredWithItsCodeWhenAnEndpointMaySendIt(sent: UInt16, answered: UInt16) throws {
        let (channel, _) = try Self.connection()
        try channel.writeInbound(Self.close(code: sent))
        let answer = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(answer.opcode == .connectionClose)
        #expect(answer.data == ByteBuffer(integer: answered))
        #expect(!channel.isActive)
    }

    @Test func aCloseWithoutACodeIsAnsweredWithoutOneAndABrokenOneWith1002() throws {
        let (bare, _) = try Self.connection()
        try bare.writeInbound(Self.close(code: nil))
        #expect(try bare.readOutbound(as: WebSocketFrame.self)?.data == ByteBuffer())

        let (broken, _) = try Self.connection()
        try broken.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer(bytes: [3])))
        #expect(try broken.readOutbound(as: WebSocketFrame.self)?.data == ByteBuffer(integer: UInt16(1002)))
    }

    /// After its close frame the server writes nothing, not even a pong, and a client that never answers is cut off
    /// after the grace period.
    @Test func afterTheServersCloseNothingIsWrittenAndASilentClientIsCutOff() throws {
        let (channel, handler) = try Self.connection()
        handler.close(code: .goingAway)
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose)
        #expect(close.data == ByteBuffer(integer: UInt16(1001)))

        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "there?")))
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: TimeAmount(CollaborationGateway.closeGracePeriod))
        #expect(!channel.isActive)
    }

    /// A client that half-closes its connection has hung up: nothing more can come from it.
    @Test func aHalfClosedConnectionIsClosed() throws {
        let (channel, _) = try Self.connection()
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(!channel.isActive)
    }

    /// A ping unanswered by the next one: the peer is gone, and is told so with 1001 before being cut off.
    @Test func aPeerSilentSinceTheLastPingIsClosed() throws {
        let (channel, handler) = try Self.connection()
        handler.send([.heartbeat], promise: nil)
        #expect(try channel.readOutbound(as: WebSocketFrame.self)?.opcode == .ping)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .pong, data: ByteBuffer()))
        handler.send([.heartbeat], promise: nil)
        #expect(try channel.readOutbound(as: WebSocketFrame.self)?.opcode == .ping)

        handler.send([.heartbeat], promise: nil)
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose)
        #expect(close.data.getInteger(at: close.data.readerIndex, as: UInt16.self) == 1001)
    }
}
