import Hummingbird
import HummingbirdAuth
import HummingbirdWebSocket
import Models
import NIOCore
import Realtime

/// The request context of every route: the authenticated user, if any, on top of Hummingbird's core storage, and the
/// WebSocket handler reference the upgrade needs.
///
/// Only HTTPKernel names a concrete context; controllers are generic over it.
struct AppRequestContext: AuthRequestContext, RequestContext, WebSocketRequestContext, ConnectionContext, RemoteAddressProviding {
    var coreContext: CoreRequestContextStorage
    var identity: User?
    let webSocket: WebSocketHandlerReference<AppRequestContext>
    let remoteAddress: String?
    /// The connection, for transports that must cut off a client that stopped reading.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }

    /// The body-limit middleware enforces the configured MAX_BODY_BYTES; this only stops unbounded reads.
    var maxUploadSize: Int { .max }
}
