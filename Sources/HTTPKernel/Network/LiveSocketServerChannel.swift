import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import Realtime

/// HTTP/1 with WebSocket upgrades, where an upgraded connection is served from its channel pipeline
/// (`AcceptedSocket.serve`) and its task ends with the handshake: an idle WebSocket costs no task, where
/// Hummingbird's own upgrade channel keeps several per connection. The upgrade request goes through the upgrade
/// router (its middleware, then `WebSocketRoute`) like any request.
struct LiveSocketServerChannel<UpgradeResponder: HTTPResponder>: ServerChildChannel, HTTPChannelHandler
where UpgradeResponder.Context: LiveSocketRequestContext, UpgradeResponder.Context.Source == ApplicationRequestContextSource {
    enum UpgradeResult: Sendable {
        /// Served from its pipeline from now on.
        case webSocket
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case failedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let upgradeResponder: UpgradeResponder
    let http1: HTTP1Channel.Configuration

    init(responder: @escaping HTTPChannelHandler.Responder, upgradeResponder: UpgradeResponder, http1: HTTP1Channel.Configuration) {
        self.responder = Self.redirectingUpgrades(to: responder)
        self.upgradeResponder = upgradeResponder
        self.http1 = http1
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let upgradeAttempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let accepted = NIOLoopBoundBox<AcceptedSocket?>(nil, eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: RealtimeLimits.transportFrameLimit,
                shouldUpgrade: { channel, head in
                    upgradeAttempted.value = true
                    return self.accept(head, on: channel, logger: logger).map { answer in
                        accepted.value = answer?.socket
                        // The route's headers (X-Request-ID) go out with the 101.
                        return answer.map { HTTPHeaders($0.headers.map { ($0.name.rawName, $0.value) }) }
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        // The upgrader calls this only after `shouldUpgrade` accepted.
                        try accepted.value?.serve(on: channel)
                        accepted.value = nil
                        return UpgradeResult.webSocket
                    }
                }
            )
            let upgrades = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandlers(self.http1.additionalChannelHandlers())
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: self.http1.idleTimeout.map { .init($0) }, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return upgradeAttempted.value ? .failedUpgrade(http) : .notUpgraded(http)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>(upgradeConfiguration: upgrades)
            configuration.enablePipelining = false  // NIOAsyncChannel pipelines HTTP
            configuration.enableErrorHandling = false  // Hummingbird answers errors
            configuration.enableResponseHeaderValidation = false  // HTTP types validate them already
            configuration.decoderConfiguration.maxHeaderFieldSize = self.http1.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = self.http1.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = self.http1.httpDecoder.maxHeaderFieldCount
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(upgradeResult: result, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .webSocket: return
            case .notUpgraded(let http): await self.handleHTTP(asyncChannel: http, logger: logger)
            case .failedUpgrade(let http): await Self.refuseUpgrade(on: http, logger: logger)
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("upgrade abandoned: input closed")
        } catch {
            logger.debug("upgrade failed", metadata: ["error": .string(String(reflecting: error))])
        }
    }

    /// Runs the upgrade request through the upgrade router: the socket the route accepted and the headers its answer
    /// carries, or nil to refuse.
    private func accept(
        _ head: HTTPRequestHead, on channel: any Channel, logger: Logger
    ) -> EventLoopFuture<(socket: AcceptedSocket, headers: HTTPFields)?> {
        let promise = channel.eventLoop.makePromise(of: (socket: AcceptedSocket, headers: HTTPFields)?.self)
        promise.completeWithTask {
            let request = Request(head: try HTTPRequest(head, secure: false, splitCookie: false), body: .init(buffer: .init()))
            let context = UpgradeResponder.Context(source: .init(channel: channel, logger: logger))
            guard let response = try? await self.upgradeResponder.respond(to: request, context: context), response.status == .ok,
                let socket = context.acceptedSocket.take()
            else { return nil }
            return (socket, response.headers)
        }
        return promise.futureResult
    }

    /// A refused upgrade: an empty 400, then the connection closes.
    private static func refuseUpgrade(on http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, logger: Logger) async {
        do {
            try await http.executeThenClose { _, outbound in
                let head = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
                try await outbound.write(contentsOf: [.head(head), .end(nil)])
            }
        } catch {
            logger.trace("writing a refused upgrade failed", metadata: ["error": .string(String(reflecting: error))])
        }
    }

    /// NIO upgrades only a connection's first request. A later one asking to upgrade is sent to the same place
    /// with the connection closed, so the client retries it on a new connection, where the upgrade can happen.
    private static func redirectingUpgrades(to responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { request, responseWriter, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, responseWriter, channel)
            }
            let location = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
            try await responseWriter.writeResponse(
                HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: location]))
            throw UpgradeOnLaterRequest()
        }
    }

    private struct UpgradeOnLaterRequest: Error {}
}
