import Models

/// Where the hub hears about committed events, access changes, and the live-only frames no store keeps.
///
/// The store publishes into the bridge as each transaction commits (so in id order), domain services report access
/// changes into it, and the gateway broadcasts ephemeral signals (cursor, viewport, status) through it; the hub
/// consumes `deliveries` in that order. In one process the bridge is a stream (`InProcessBridge`); across nodes it
/// carries all three between nodes, so every node's hub gets what any node's clients did.
public protocol HubBridge: EventPublisher {
    var deliveries: AsyncStream<BridgeDelivery> { get }
    /// Sends a live-only frame to the room on every node. Must return at once, like `publish`.
    func broadcast(_ signal: EphemeralSignal)
    /// Ends `deliveries`, at shutdown.
    func finish()
}

public enum BridgeDelivery: Sendable {
    case event(SessionEvent)
    case accessChanged(AccessChange)
    case ephemeral(EphemeralSignal)
}
