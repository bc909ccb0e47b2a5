import Metrics
import Synchronization

/// Counters of the hub since start: read back for `GET /ws/stats`, and exported through swift-metrics (`/metrics`).
final class HubCounters: Sendable {
    let eventsPublished = Atomic<Int>(0)
    let messagesIn = Atomic<Int>(0)
    let framesOut = Atomic<Int>(0)
    let coalesced = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let slowConsumerCloses = Atomic<Int>(0)
    let floodCloses = Atomic<Int>(0)
    let rateLimited = Atomic<Int>(0)
    /// From an event's arrival at the hub (or an ephemeral frame's creation) to its write into the socket of the last
    /// subscriber drained on each event loop.
    let deliveryLatency = Metrics.Timer(label: "sessionhub_delivery_latency_seconds")

    enum Counter: CaseIterable {
        case eventsPublished, messagesIn, framesOut, coalesced, dropped, slowConsumerCloses, floodCloses, rateLimited

        var metricLabel: String {
            switch self {
            case .eventsPublished: "sessionhub_events_published_total"
            case .messagesIn: "sessionhub_client_messages_total"
            case .framesOut: "sessionhub_frames_delivered_total"
            case .coalesced: "sessionhub_frames_coalesced_total"
            case .dropped: "sessionhub_frames_dropped_total"
            case .slowConsumerCloses: "sessionhub_slow_consumer_closes_total"
            case .floodCloses: "sessionhub_flood_closes_total"
            case .rateLimited: "sessionhub_rate_limited_frames_total"
            }
        }
    }

    private let exported: [Counter: Metrics.Counter] = Dictionary(
        uniqueKeysWithValues: Counter.allCases.map { ($0, Metrics.Counter(label: $0.metricLabel)) }
    )

    func add(_ counter: Counter, _ amount: Int = 1) {
        guard amount > 0 else { return }
        self.exported[counter]?.increment(by: amount)
        switch counter {
        case .eventsPublished: self.eventsPublished.add(amount, ordering: .relaxed)
        case .messagesIn: self.messagesIn.add(amount, ordering: .relaxed)
        case .framesOut: self.framesOut.add(amount, ordering: .relaxed)
        case .coalesced: self.coalesced.add(amount, ordering: .relaxed)
        case .dropped: self.dropped.add(amount, ordering: .relaxed)
        case .slowConsumerCloses: self.slowConsumerCloses.add(amount, ordering: .relaxed)
        case .floodCloses: self.floodCloses.add(amount, ordering: .relaxed)
        case .rateLimited: self.rateLimited.add(amount, ordering: .relaxed)
        }
    }
}
