import NIOCore
import NIOWebSocket

/// A WebSocket connection in its channel pipeline, after NIOWebSocket's codec and fragment aggregator: the
/// protocol's control frames (ping, pong, the closing handshake), reading only as fast as `LiveSocket` takes the
/// client's messages, and every frame the server writes. An idle connection is this handler and its subscriber:
/// no task waits on it.
final class LiveSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What the route accepted, until the handler joins the pipeline and opens the connection; a test may leave it
    /// out to look at the transport alone.
    private var accepted: AcceptedSocket?
    private var socket: LiveSocket?
    private var context: ChannelHandlerContext?
    /// Where pre-framed text frames go: below the encoder, which would frame their payload again for each subscriber
    /// (from here in a pipeline without one, a test's).
    private var belowEncoder: ChannelHandlerContext?
    private var isReadingPaused = false
    private var isReadPending = false
    /// A close frame went out (the server's, or its answer to the client's): nothing may follow it, and the
    /// connection ends within the grace period.
    private var isCloseSent = false
    private var cutOff: Scheduled<Void>?
    /// A ping is out and its pong has not come back: a peer still silent at the next ping is gone.
    private var isAwaitingPong = false

    init(accepted: AcceptedSocket?) {
        self.accepted = accepted
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.belowEncoder = try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
        guard let accepted else { return }
        self.accepted = nil
        let socket = LiveSocket(
            gateway: accepted.gateway, sink: LiveSocketSink(handler: NIOLoopBound(self, eventLoop: context.eventLoop), channel: context.channel))
        self.socket = socket
        socket.open(accepted)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The socket's tasks may outlive the channel; they must not keep the pipeline's handlers alive.
        self.socket?.clientGone()
        self.socket = nil
        self.context = nil
        self.belowEncoder = nil
        self.cutOff?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.socket?.clientGone()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client hung up without a closing handshake (Hummingbird allows half-closed connections): nothing more
        // will come from it, and its user must not stay present until the next ping finds out.
        if let event = event as? ChannelEvent, event == .inputClosed { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            // After the server's close, the client's data is no longer taken.
            guard !self.isCloseSent, let socket else { return }
            if !socket.take(frame.unmaskedData) { self.isReadingPaused = true }
        case .ping:
            guard frame.fin else { return self.close(code: .protocolError, context: context) }
            guard !self.isCloseSent else { return }
            context.writeAndFlush(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            self.isAwaitingPong = false
        case .connectionClose:
            self.answerClose(frame, context: context)
        default:
            // A stray continuation; the aggregator passes nothing else.
            self.close(code: .protocolError, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case is NIOWebSocketError:
            // WebSocketProtocolErrorHandler has already sent its close (1009 for an oversized frame) and closes once
            // it is written.
            self.closing(context: context)
        case NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge, NIOWebSocketFrameAggregator.Error.tooManyFragments:
            self.close(code: .messageTooLarge, context: context)
        case is NIOWebSocketFrameAggregator.Error:
            self.close(code: .protocolError, context: context)
        default:
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if self.isReadingPaused {
            self.isReadPending = true
        } else {
            context.read()
        }
    }

    /// `LiveSocket` took the messages it was behind on.
    func resumeReading() {
        guard self.isReadingPaused else { return }
        self.isReadingPaused = false
        if self.isReadPending, let context {
            self.isReadPending = false
            context.read()
        }
    }

    /// Writes server frames already framed (and, for `.heartbeat`, a ping) with one flush; `promise` completes with
    /// the last write.
    func send(_ items: [Subscriber.Outgoing], promise: EventLoopPromise<Void>?) {
        guard !self.isCloseSent, let context, !items.isEmpty else {
            if items.isEmpty { promise?.succeed() } else { promise?.fail(ChannelError.outputClosed) }
            return
        }
        for (index, item) in items.enumerated() {
            let written = index == items.count - 1 ? promise : nil
            // A ping may have found the peer gone and closed.
            guard !self.isCloseSent else {
                written?.fail(ChannelError.outputClosed)
                continue
            }
            switch item {
            case .frame(let frame): (self.belowEncoder ?? context).write(NIOAny(frame.webSocketFrame), promise: written)
            case .heartbeat: self.ping(context: context, promise: written)
            }
        }
        context.flush()
    }

    private func ping(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        // While its messages wait to be taken up, the client's pong is not read either: it cannot be heard.
        guard !self.isReadingPaused else {
            promise?.succeed()
            return
        }
        guard !self.isAwaitingPong else {
            // No pong since the last ping: the peer is gone without a word.
            promise?.fail(ChannelError.outputClosed)
            self.close(code: .goingAway, reason: "ping timeout", context: context)
            return
        }
        self.isAwaitingPong = true
        context.write(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())), promise: promise)
    }

    /// Sends the close frame (with `reason`, which a slow consumer's client reads) and gives the client
    /// `closeGracePeriod` to answer before the connection is cut.
    func close(code: WebSocketErrorCode, reason: String? = nil) {
        guard let context else { return }
        self.close(code: code, reason: reason, context: context)
    }

    private func close(code: WebSocketErrorCode, reason: String? = nil, context: ChannelHandlerContext) {
        guard !self.isCloseSent else { return }
        var data = context.channel.allocator.buffer(capacity: 2 + (reason?.utf8.count ?? 0))
        data.write(webSocketErrorCode: code)
        if let reason { data.writeString(reason) }
        context.writeAndFlush(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        self.closing(context: context)
    }

    /// From the first close frame either side sends: nothing more is written, and the connection ends within
    /// `closeGracePeriod` whether or not the peer takes what is still on its way.
    private func closing(context: ChannelHandlerContext) {
        guard !self.isCloseSent else { return }
        self.isCloseSent = true
        let channel = context.channel
        self.cutOff = context.eventLoop.scheduleTask(in: TimeAmount(CollaborationGateway.closeGracePeriod)) { channel.close(promise: nil) }
    }

    /// The client's close: answered (RFC 6455 §5.5.1) unless the server spoke first, then the connection ends.
    private func answerClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        guard !self.isCloseSent else { return context.close(promise: nil) }
        let answer = WebSocketFrame(fin: true, opcode: .connectionClose, data: Self.answer(toClose: frame.unmaskedData))
        let channel = context.channel
        context.writeAndFlush(Self.wrapOutboundOut(answer)).whenComplete { _ in channel.close(promise: nil) }
        self.closing(context: context)
    }

    /// The client's own code when an endpoint may send it, 1002 when not; nothing when it gave none.
    static func answer(toClose payload: ByteBuffer) -> ByteBuffer {
        var payload = payload
        guard payload.readableBytes > 0 else { return ByteBuffer() }
        let code = payload.readInteger(as: UInt16.self) ?? 0
        let sendable = (1000...1003).contains(code) || (1007...1011).contains(code) || (3000...4999).contains(code)
        return ByteBuffer(integer: sendable ? code : UInt16(1002))
    }
}

/// The hub's and the socket's way into a connection's pipeline, from any thread: `write` runs on the event loop.
struct LiveSocketSink: DirectSink {
    let handler: NIOLoopBound<LiveSocketHandler>
    let channel: any Channel

    var eventLoop: any EventLoop { self.channel.eventLoop }
    var isWritable: Bool { self.channel.isWritable }

    func write(_ items: [Subscriber.Outgoing], promise: EventLoopPromise<Void>?) {
        self.handler.value.send(items, promise: promise)
    }

    /// Sends `farewell` (an `error` frame), then the close frame, from any thread.
    func close(after farewell: OutboundFrame?, code: Int, reason: String? = nil) {
        self.eventLoop.execute {
            if let farewell { self.write([.frame(farewell)], promise: nil) }
            self.handler.value.close(code: WebSocketErrorCode(codeNumber: code), reason: reason)
        }
    }

    /// The socket caught up with the client's messages, from any thread.
    func resumeReading() {
        self.eventLoop.execute { self.handler.value.resumeReading() }
    }
}
