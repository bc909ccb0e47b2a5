import Models

/// The single-node bridge: an ordered, non-blocking stream from the store's writer to the hub.
///
/// Unbounded by design: the writer must never wait on subscribers, and the hub drains it faster than SQLite commits.
public final class InProcessBridge: HubBridge {
    public let deliveries: AsyncStream<BridgeDelivery>
    private let continuation: AsyncStream<BridgeDelivery>.Continuation

    public init() {
        (self.deliveries, self.continuation) = AsyncStream.makeStream(of: BridgeDelivery.self, bufferingPolicy: .unbounded)
    }

    public func publish(_ event: SessionEvent) {
        self.continuation.yield(.event(event))
    }

    public func accessChanged(_ change: AccessChange) {
        self.continuation.yield(.accessChanged(change))
    }

    public func broadcast(_ signal: EphemeralSignal) {
        self.continuation.yield(.ephemeral(signal))
    }

    public func finish() {
        self.continuation.finish()
    }
}
