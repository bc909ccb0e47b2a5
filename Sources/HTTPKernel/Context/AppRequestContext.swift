import Hummingbird
import HummingbirdAuth
import HummingbirdWebSocket
import Models

/// The request context of every route: the authenticated user, if any, on top of Hummingbird's core storage, and the
/// WebSocket handler reference the upgrade needs.
///
/// Only HTTPKernel names a concrete context; controllers are generic over it.
struct AppRequestContext: AuthRequestContext, RequestContext, WebSocketRequestContext, RemoteAddressProviding {
    var coreContext: CoreRequestContextStorage
    var identity: User?
    let webSocket: WebSocketHandlerReference<AppRequestContext>
    let remoteAddress: String?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The body-limit middleware enforces the configured MAX_BODY_BYTES; this only stops unbounded reads.
    var maxUploadSize: Int { .max }
}
