import API
import Hummingbird
import Realtime

/// The request context of the upgrade router: the client's address, for the connect rate, and the slot the
/// WebSocket route leaves the accepted connection in. Only upgrade requests pay for the slot.
struct UpgradeRequestContext: RequestContext, LiveSocketRequestContext, ClientAddressProviding {
    var coreContext: CoreRequestContextStorage
    let acceptedSocket = AcceptedSocketSlot()
    let peerAddress: String?
    /// The peer, or the client a trusted proxy forwarded for (set by `ClientAddressMiddleware`).
    var clientAddress: String?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress
        self.clientAddress = self.peerAddress
    }
}
