import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix
import WebSocketClient

/// An SSE subscriber: one streaming GET, each complete event (up to its blank line) handed to a `Receiver`.
final class SSEConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func connect(
        to endpoint: Endpoint, path: String, token: String, receiver: Receiver, group: any EventLoopGroup
    ) async throws
        -> SSEConnection
    {
        let opened = group.next().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(EventStreamHandler(receiver: receiver, opened: opened))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .get()
        let headers = HTTPHeaders([
            ("Host", "\(endpoint.host):\(endpoint.port)"), ("Authorization", "Bearer \(token)"), ("Accept", "text/event-stream"),
        ])
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        do {
            try await opened.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        return SSEConnection(channel: channel)
    }

    func close() async {
        try? await self.channel.close()
    }
}

private final class EventStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let receiver: Receiver
    private let opened: EventLoopPromise<Void>
    private var pending = ByteBuffer()

    init(receiver: Receiver, opened: EventLoopPromise<Void>) {
        self.receiver = receiver
        self.opened = opened
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            guard head.status == .ok else {
                self.opened.fail(BenchError("SSE stream answered \(head.status.code)"))
                context.close(promise: nil)
                return
            }
            self.opened.succeed()
        case .body(var part):
            self.pending.writeBuffer(&part)
            while let length = Self.eventLength(in: self.pending) {
                self.pending.readSlice(length: length)?.withUnsafeReadableBytes { self.receiver.handle($0) }
            }
            if self.pending.readableBytes == 0 {
                self.pending.clear()
            } else if self.pending.readerIndex > 1 << 16 {
                self.pending.discardReadBytes()
            }
        case .end:
            self.receiver.closed(code: 1000)
            context.close(promise: nil)
        }
    }

    /// The length of the first complete event (through its blank line), found with memchr: this runs for every
    /// event every SSE subscriber receives.
    private static func eventLength(in buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard let base = bytes.baseAddress else { return nil }
            var offset = 0
            while offset < bytes.count - 1 {
                guard let hit = memchr(base + offset, 0x0A, bytes.count - offset - 1) else { return nil }
                let index = base.distance(to: UnsafeRawPointer(hit))
                if bytes[index + 1] == 0x0A { return index + 2 }
                offset = index + 1
            }
            return nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.opened.fail(BenchError("SSE connection closed"))
        self.receiver.closed(code: 1006)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
