import Hummingbird
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// `GET /ws/session/{session_id}?token=JWT[&since=ID]` (or `Authorization: Bearer`), on the upgrade router.
///
/// The upgrade is always accepted: a refused upgrade would be a bare 400 a browser cannot read. A refusal is an
/// `error` frame and then a close code the client can act on (4401 token, 4404 session, 4403 access lost later).
public struct WebSocketRoute<Context: LiveSocketRequestContext>: Sendable {
    let gateway: SharedGateway

    public init(gateway: CollaborationGateway) {
        self.gateway = SharedGateway(gateway)
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("/ws/session/:session_id") { request, context -> Response in
            let sessionID = context.parameters.get("session_id") ?? ""
            context.acceptedSocket.fill(AcceptedSocket(gateway: self.gateway, request: request, sessionID: sessionID, logger: context.logger))
            return Response(status: .ok)
        }
    }
}

/// The request context of the upgrade router: where the WebSocket route leaves the connection it accepted.
public protocol LiveSocketRequestContext: RequestContext {
    var acceptedSocket: AcceptedSocketSlot { get }
}

/// Filled by the WebSocket route when it accepts an upgrade, and taken by the server channel once it upgrades.
public final class AcceptedSocketSlot: Sendable {
    private let accepted = Mutex<AcceptedSocket?>(nil)

    public init() {}

    func fill(_ socket: AcceptedSocket) {
        self.accepted.withLock { $0 = socket }
    }

    public func take() -> AcceptedSocket? {
        self.accepted.withLock { accepted in
            defer { accepted = nil }
            return accepted
        }
    }
}

/// An upgrade the WebSocket route accepted: what its connection needs once the handshake is done.
public final class AcceptedSocket: Sendable {
    let gateway: SharedGateway
    let request: Request
    let sessionID: String
    /// The upgrade request's logger: the connection's lines carry its X-Request-ID.
    let logger: Logger

    init(gateway: SharedGateway, request: Request, sessionID: String, logger: Logger) {
        self.gateway = gateway
        self.request = request
        self.sessionID = sessionID
        self.logger = logger
    }

    /// Serves the connection from its pipeline, behind NIOWebSocket's frame codec: no task waits on an idle one.
    /// Call on the channel's event loop, after the upgrader added the codec.
    public func serve(on channel: any Channel) throws {
        try channel.pipeline.syncOperations.addHandlers([
            // Fragments are joined up to the same limit as whole frames.
            NIOWebSocketFrameAggregator(
                minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 12, maxAccumulatedFrameSize: RealtimeLimits.transportFrameLimit),
            LiveSocketHandler(accepted: self),
        ])
    }
}

/// The gateway by reference: it is several words wide, and every connection holds it for hours.
final class SharedGateway: Sendable {
    let gateway: CollaborationGateway

    init(_ gateway: CollaborationGateway) {
        self.gateway = gateway
    }
}
