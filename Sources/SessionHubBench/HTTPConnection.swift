import NIOCore
import NIOHTTP1
import NIOPosix
import WebSocketClient

struct HTTPResponse: Sendable {
    let status: Int
    let body: ByteBuffer

    var text: String { String(buffer: self.body) }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One keep-alive HTTP/1.1 connection; requests may be pipelined, answers arrive in order.
final class HTTPConnection: Sendable {
    let channel: any Channel
    let host: String

    private init(channel: any Channel, host: String) {
        self.channel = channel
        self.host = host
    }

    static func connect(to endpoint: Endpoint, group: any EventLoopGroup) async throws -> HTTPConnection {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .get()
        return HTTPConnection(channel: channel, host: "\(endpoint.host):\(endpoint.port)")
    }

    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, json: String? = nil) async throws -> HTTPResponse {
        var headers = HTTPHeaders([("Host", self.host)])
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let body = json.map { ByteBuffer(string: $0) }
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.readableBytes))
        }
        let promise = self.channel.eventLoop.makePromise(of: HTTPResponse.self)
        let request = PendingRequest(
            head: HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers), body: body, answer: promise)
        self.channel.writeAndFlush(request, promise: nil)
        return try await promise.futureResult.get()
    }

    /// Sends and requires a 2xx answer.
    func expect(_ method: HTTPMethod, _ path: String, token: String? = nil, json: String? = nil) async throws -> HTTPResponse {
        let response = try await self.send(method, path, token: token, json: json)
        guard (200..<300).contains(response.status) else {
            throw BenchError("\(method) \(path) answered \(response.status): \(response.text)")
        }
        return response
    }

    func close() async {
        try? await self.channel.close()
    }
}

struct PendingRequest: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let answer: EventLoopPromise<HTTPResponse>
}

/// Writes requests and pairs each complete response with the oldest unanswered request.
private final class ResponseCollector: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var waiting = CircularBuffer<EventLoopPromise<HTTPResponse>>()
    private var status = 0
    private var body = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        self.waiting.append(request.answer)
        context.write(self.wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body { context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.write(self.wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.status = Int(head.status.code)
            self.body.clear()
        case .body(var part):
            self.body.writeBuffer(&part)
        case .end:
            self.waiting.popFirst()?.succeed(HTTPResponse(status: self.status, body: self.body))
            self.body = ByteBuffer()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(BenchError("connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        while let promise = self.waiting.popFirst() { promise.fail(error) }
    }
}
