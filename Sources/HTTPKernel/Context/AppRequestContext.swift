import API
import Hummingbird
import HummingbirdAuth
import Models
import NIOCore
import Realtime

/// The request context of every route: the authenticated user, if any, on top of Hummingbird's core storage, and the
/// wire's JSON coding.
///
/// Only HTTPKernel names a concrete context; controllers are generic over it.
struct AppRequestContext: APIRequestContext, ConnectionContext, ClientAddressProviding {
    var coreContext: CoreRequestContextStorage
    var identity: User?
    let peerAddress: String?
    /// The peer, or the client a trusted proxy forwarded for (set by `ClientAddressMiddleware`).
    var clientAddress: String?
    /// The connection, for transports that must cut off a client that stopped reading.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.peerAddress = source.channel.remoteAddress?.ipAddress
        self.clientAddress = self.peerAddress
        self.channel = source.channel
    }

    var requestDecoder: WireRequestDecoder { WireRequestDecoder() }
    var responseEncoder: WireResponseEncoder { WireResponseEncoder() }

    /// The body-limit middleware enforces the configured MAX_BODY_BYTES; this only stops unbounded reads.
    var maxUploadSize: Int { .max }
}
