import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Realtime

/// A server channel (HTTP/1 with WebSocket upgrades) with `ConnectionGuardHandler` in front of everything else, so the
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
    /// HTTP/1 with WebSocket upgrades served from the pipeline (`LiveSocketServerChannel`), behind a connection guard.
    static func guardedLiveSocketUpgrade<UpgradeRouter: HTTPResponderBuilder>(
        upgradeRouter: UpgradeRouter,
        http1: HTTP1Channel.Configuration,
        makeGuard: @escaping @Sendable () -> ConnectionGuardHandler
    ) -> HTTPServerBuilder
    where UpgradeRouter.Responder.Context: LiveSocketRequestContext, UpgradeRouter.Responder.Context.Source == ApplicationRequestContextSource {
        let upgradeResponder = upgradeRouter.buildResponder()
        return .init { responder in
            GuardedServerChannel(
                inner: LiveSocketServerChannel(responder: responder, upgradeResponder: upgradeResponder, http1: http1),
                makeGuard: makeGuard
            )
        }
    }
}
