import Foundation
import HTTPTypes
import NIOCore
import Synchronization

/// The first handler of every connection, on raw bytes, before any HTTP parsing: it enforces what must hold before
/// a request exists (slowloris and connection floods never become one).
///
/// - MAX_CONNECTIONS: a connection over the limit gets a 503 problem and is closed once it has sent something.
/// - A new connection must start a request within HTTP_IDLE_TIMEOUT_SECONDS (later idle periods are the HTTP layer's).
/// - Each request's headers must be complete within HTTP_HEADER_TIMEOUT_SECONDS of the read they began in, however
///   slowly the bytes trickle in (an idle timer alone restarts on every byte), and its body within
///   HTTP_BODY_TIMEOUT_SECONDS of the read its head ended in. Timed here, where the bytes are seen; a timer is armed
///   only for a head or body that a read leaves unfinished, which most requests never are.
/// - A WebSocket upgrade disarms it: frames are the realtime layer's business.
final class ConnectionGuardHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Open connections, shared by every connection's handler.
    final class Census: Sendable {
        let limit: Int
        private let open = Atomic(0)

        init(limit: Int) { self.limit = limit }

        /// Counts a new connection unless the server is full.
        func admit() -> Bool {
            let after = self.open.add(1, ordering: .relaxed).newValue
            guard after > self.limit else { return true }
            self.open.subtract(1, ordering: .relaxed)
            return false
        }

        func leave() { self.open.subtract(1, ordering: .relaxed) }
    }

    private enum State {
        /// Between requests, looking for the next request's first byte.
        case awaitingRequest
        /// Reading a head (into `head`, up to its end).
        case readingHead
        /// A body of known length.
        case readingBody(remaining: Int)
        /// A chunked body: a chunk-size line (its size so far; past a `;` its extension is skipped), then the
        /// chunk and its CRLF, and after the zero chunk the trailer lines, up to an empty one.
        case readingChunkSize(size: Int, inExtension: Bool)
        case readingChunk(remaining: Int)
        case readingTrailers(lineLength: Int)
        /// After a WebSocket upgrade, or once refused.
        case disarmed
    }

    private let census: Census
    private let idleTimeout: TimeAmount
    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var state = State.awaitingRequest
    /// The head being read: its first bytes, for the framing headers (the HTTP decoder refuses heads over 80 KiB).
    private var head: [UInt8] = []
    /// The last four bytes read, to find the end of a head across reads.
    private var window: UInt32 = 0
    private var started = false
    private var counted = false
    private var refused = false
    private var deadline: Scheduled<Void>?

    init(census: Census, idleTimeout: TimeAmount, headerTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.census = census
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    /// Once per connection, whether it was active when this handler was added or became active after.
    private func start(context: ChannelHandlerContext) {
        guard !self.started else { return }
        self.started = true
        self.counted = self.census.admit()
        self.refused = !self.counted
        // A refused connection holds a socket, uncounted: it gets a moment to send its request, then the answer.
        self.arm(self.refused ? Self.refusalGrace : self.idleTimeout, context: context, answering: self.refused ? Self.serverBusy : nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        if self.counted { self.census.leave() }
        self.counted = false
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.refused {
            // Answered once the client has spoken, so it reads the answer rather than a reset.
            self.refused = false
            self.state = .disarmed
            return self.answer(Self.serverBusy, andCloseIn: context)
        }
        let buffer = self.unwrapInboundIn(data)
        self.consume(buffer.readableBytesView, context: context)
        if self.deadline == nil { self.armForUnfinishedPart(context: context) }
        context.fireChannelRead(data)
    }

    private func consume(_ bytes: ByteBufferView, context: ChannelHandlerContext) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch self.state {
            case .disarmed:
                return
            case .awaitingRequest:
                self.state = .readingHead
                self.head.removeAll(keepingCapacity: true)
                self.window = 0
                // The first request's idle timer; later ones have none.
                self.deadline?.cancel()
                self.deadline = nil
            case .readingHead:
                var (window, end) = (self.window, index)
                while end < bytes.endIndex, window != Self.endOfHead {
                    window = window << 8 | UInt32(bytes[end])
                    end += 1
                }
                let kept = min(end - index, max(0, Self.headLimit - self.head.count))
                self.head.append(contentsOf: bytes[index..<(index + kept)])
                (self.window, index) = (window, end)
                if window == Self.endOfHead { self.headEnded(context: context) }
            case .readingBody(let remaining):
                let taken = min(remaining, bytes.endIndex - index)
                index += taken
                if remaining == taken { self.bodyEnded() } else { self.state = .readingBody(remaining: remaining - taken) }
            case .readingChunk(let remaining):
                let taken = min(remaining, bytes.endIndex - index)
                index += taken
                self.state = remaining == taken ? .readingChunkSize(size: 0, inExtension: false) : .readingChunk(remaining: remaining - taken)
            case .readingChunkSize(let size, let inExtension):
                self.state = Self.chunkSize(after: bytes[index], size: size, inExtension: inExtension)
                index += 1
            case .readingTrailers(let lineLength):
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\n"): if lineLength == 0 { self.bodyEnded() } else { self.state = .readingTrailers(lineLength: 0) }
                case UInt8(ascii: "\r"): break
                default: self.state = .readingTrailers(lineLength: lineLength + 1)
                }
            }
        }
    }

    /// The state after one byte of a chunk-size line (`1a;name=value\r\n`).
    private static func chunkSize(after byte: UInt8, size: Int, inExtension: Bool) -> State {
        switch byte {
        case UInt8(ascii: "\n"):
            // The chunk and the CRLF after it; the zero chunk is followed by trailers.
            return size == 0 ? .readingTrailers(lineLength: 0) : .readingChunk(remaining: size + 2)
        case UInt8(ascii: ";"):
            return .readingChunkSize(size: size, inExtension: true)
        case UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "\t"):
            return .readingChunkSize(size: size, inExtension: inExtension)
        case _ where inExtension:
            return .readingChunkSize(size: size, inExtension: true)
        default:
            // Not hex, or too large to be real: the HTTP decoder will refuse the body; stop following it.
            guard let digit = Int(String(UnicodeScalar(byte)), radix: 16), size < Int.max >> 8 else { return .disarmed }
            return .readingChunkSize(size: size << 4 | digit, inExtension: false)
        }
    }

    private func headEnded(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        self.deadline = nil
        self.window = 0
        switch HeadFraming(head: self.head) {
        case .webSocketUpgrade:
            // Frames from now on (a refused upgrade is answered and closed by the HTTP layer); a WebSocket lives for
            // hours, and the head it started with is no use to it.
            self.state = .disarmed
            self.head = []
        case .chunked:
            self.state = .readingChunkSize(size: 0, inExtension: false)
        case .length(let length) where length > 0:
            self.state = .readingBody(remaining: length)
        case .length, .none:
            self.state = .awaitingRequest
        }
    }

    /// After a read: a head or body it left unfinished gets its timer.
    private func armForUnfinishedPart(context: ChannelHandlerContext) {
        switch self.state {
        case .readingHead:
            self.arm(self.headerTimeout, context: context, answering: Self.requestTimeout)
        case .readingBody, .readingChunkSize, .readingChunk, .readingTrailers:
            self.arm(self.bodyTimeout, context: context, answering: Self.bodyTimedOut)
        case .awaitingRequest, .disarmed:
            break
        }
    }

    private func bodyEnded() {
        self.state = .awaitingRequest
        self.deadline?.cancel()
        self.deadline = nil
    }

    /// After the first request, idle keep-alive connections are the HTTP layer's to close (it knows when a response,
    /// an SSE stream say, is still in progress); before it, this handler closes a connection that never speaks.
    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext, answering answer: ByteBuffer?) {
        self.deadline?.cancel()
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        self.deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.state = .disarmed
            if let answer { handler.answer(answer, andCloseIn: context) } else { context.close(promise: nil) }
        }
    }

    private func answer(_ response: ByteBuffer, andCloseIn context: ChannelHandlerContext) {
        self.deadline?.cancel()
        let channel = context.channel
        context.writeAndFlush(NIOAny(response)).whenComplete { _ in channel.close(promise: nil) }
    }

    static let headLimit = 80 * 1024
    /// "\r\n\r\n", the end of a head, as the last four bytes read.
    private static let endOfHead: UInt32 = 0x0D0A_0D0A
    private static let refusalGrace: TimeAmount = .seconds(1)

    private static func rawResponse(status: String, problem: String) -> ByteBuffer {
        let securityHeaders = securityHeaderFields.map { "\($0.name): \($0.value)\r\n" }.joined()
        return ByteBuffer(
            string: "HTTP/1.1 \(status)\r\nContent-Type: application/problem+json\r\nRetry-After: 5\r\nConnection: close\r\n"
                + securityHeaders + "Content-Length: \(problem.utf8.count)\r\n\r\n\(problem)"
        )
    }

    private static let serverBusy = rawResponse(
        status: "503 Service Unavailable",
        problem:
            #"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"The server has as many connections as it takes; retry later","error_code":"SERVER_BUSY"}"#
    )

    private static let bodyTimedOut = rawResponse(
        status: "408 Request Timeout",
        problem:
            #"{"type":"about:blank","title":"Request Timeout","status":408,"detail":"The request body took too long to arrive","error_code":"REQUEST_TIMEOUT"}"#
    )

    private static let requestTimeout = rawResponse(
        status: "408 Request Timeout",
        problem:
            #"{"type":"about:blank","title":"Request Timeout","status":408,"detail":"The request headers took too long to arrive","error_code":"REQUEST_TIMEOUT"}"#
    )
}
