import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// Hummingbird's HTTP/1 + WebSocket upgrade channel with `ConnectionGuardHandler` in front of everything else, so the
/// guard sees raw bytes before the first request is parsed (the upgrade pipeline adds its own HTTP handlers only then).
struct GuardedServerChannel<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner
    let makeGuard: @Sendable () -> ConnectionGuardHandler

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(self.makeGuard())
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return self.inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await self.inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// `.http1WebSocketUpgrade(webSocketRouter:configuration:)` behind a connection guard.
    static func guardedHTTP1WebSocketUpgrade<WebSocketRouter: HTTPResponderBuilder & _HB_SendableMetatype>(
        webSocketRouter: WebSocketRouter,
        configuration: HTTP1WebSocketUpgradeChannel.Configuration,
        makeGuard: @escaping @Sendable () -> ConnectionGuardHandler
    ) -> HTTPServerBuilder where WebSocketRouter.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return .init { responder in
            GuardedServerChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                makeGuard: makeGuard
            )
        }
    }
}
