import NIOCore
import NIOPosix
import NIOWebSocket

/// Where a server listens.
public struct Endpoint: Sendable {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

/// What a connection hands its messages to, on the event loop: the bench's `Receiver`, or a test's frame log.
public protocol FrameReceiver: Sendable {
    /// A whole text or binary message.
    func handle(_ bytes: UnsafeRawBufferPointer)
    /// The server's close code (1005 without one, 1006 when the connection ended without a close frame).
    func closed(code: Int)
}

/// A WebSocket client connection built from NIO's frame codec: the upgrade request is written by hand, every frame
/// is handed to a `FrameReceiver` on the event loop, with no task per frame, so thousands of them cost the client little.
///
/// Bytes that arrive in the same read as the `101` answer are passed on as frames; hummingbird-websocket's client can
/// lose those, which is why the test suite checks immediate refusals with this one.
public final class WebSocketConnection: Sendable {
    public let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    public static func connect(
        to endpoint: Endpoint, path: String, receiver: any FrameReceiver, group: any EventLoopGroup
    ) async throws
        -> WebSocketConnection
    {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: endpoint.host, port: endpoint.port)
            .get()
        let upgraded = channel.eventLoop.makePromise(of: Void.self)
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(UpgradeHandler(receiver: receiver, upgraded: upgraded))
        }.get()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request))
        do {
            try await upgraded.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        return WebSocketConnection(channel: channel)
    }

    public func send(_ text: String) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text))
        self.channel.writeAndFlush(frame, promise: nil)
    }

    public func close() async {
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: ByteBuffer(integer: UInt16(1000)))
        try? await self.channel.writeAndFlush(frame)
        try? await self.channel.close()
    }
}

/// Why a connection did not become a WebSocket.
public enum WebSocketUpgradeError: Error, Equatable {
    /// The server answered something other than `101`; its status line.
    case refused(statusLine: String)
    case closedDuringUpgrade
}

/// Reads the `101 Switching Protocols` answer, then puts the frame codec in its own place.
private final class UpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let receiver: any FrameReceiver
    private let upgraded: EventLoopPromise<Void>
    private var header = ByteBuffer()

    init(receiver: any FrameReceiver, upgraded: EventLoopPromise<Void>) {
        self.receiver = receiver
        self.upgraded = upgraded
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        self.header.writeBuffer(&bytes)
        guard let end = self.header.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
        let headerLength = end.upperBound - self.header.readerIndex
        let head = self.header.readString(length: headerLength) ?? ""
        guard head.hasPrefix("HTTP/1.1 101") else {
            self.upgraded.fail(WebSocketUpgradeError.refused(statusLine: String(head.prefix(while: { $0 != "\r" }))))
            context.close(promise: nil)
            return
        }
        do {
            try context.pipeline.syncOperations.addHandlers(
                [ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 24)), WebSocketFrameEncoder(), FrameHandler(receiver: self.receiver)],
                position: .after(self)
            )
        } catch {
            self.upgraded.fail(error)
            context.close(promise: nil)
            return
        }
        let rest = self.header
        self.header = ByteBuffer()
        // Upgraded before the frames that came with the answer go on: one may be a close, whose channelInactive
        // passes through here before this handler is gone, and must not turn the upgrade into a failure.
        self.upgraded.succeed()
        if rest.readableBytes > 0 { context.fireChannelRead(self.wrapInboundOut(rest)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.upgraded.fail(WebSocketUpgradeError.closedDuringUpgrade)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.upgraded.fail(error)
        context.close(promise: nil)
    }
}

private final class FrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let receiver: any FrameReceiver
    private var fragments: ByteBuffer?

    init(receiver: any FrameReceiver) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            var data = frame.unmaskedData
            if frame.fin && self.fragments == nil {
                data.withUnsafeReadableBytes { self.receiver.handle($0) }
                return
            }
            var fragments = self.fragments.take() ?? ByteBuffer()
            fragments.writeBuffer(&data)
            self.fragments = fragments
            if frame.fin, let whole = self.fragments.take() {
                whole.withUnsafeReadableBytes { self.receiver.handle($0) }
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(self.wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            self.receiver.closed(code: data.readInteger(as: UInt16.self).map(Int.init) ?? 1005)
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.receiver.closed(code: 1006)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
