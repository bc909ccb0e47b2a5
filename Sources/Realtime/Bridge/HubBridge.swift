import Models

/// Where the hub hears about committed events and access changes.
///
/// The store publishes into the bridge as each transaction commits (so in id order), and domain services report
/// access changes into it; the hub consumes `deliveries` in that order. In one process the bridge is a stream
/// (`InProcessBridge`); across nodes (PostgreSQL, a later issue) it will NOTIFY on publish and LISTEN on every
/// node, delivering to each node's hub in the same id order.
public protocol HubBridge: EventPublisher {
    var deliveries: AsyncStream<BridgeDelivery> { get }
    /// Ends `deliveries`, at shutdown.
    func finish()
}

public enum BridgeDelivery: Sendable {
    case event(SessionEvent)
    case accessChanged(AccessChange)
}
