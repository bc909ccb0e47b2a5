import Synchronization

/// Counters of the hub since start, for `GET /ws/stats` (and the metrics endpoint of the performance issue).
final class HubCounters: Sendable {
    let messagesIn = Atomic<Int>(0)
    let framesOut = Atomic<Int>(0)
    let coalesced = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let slowConsumerCloses = Atomic<Int>(0)
    let floodCloses = Atomic<Int>(0)
    let rateLimited = Atomic<Int>(0)

    enum Counter {
        case messagesIn, framesOut, coalesced, dropped, slowConsumerCloses, floodCloses, rateLimited
    }

    func add(_ counter: Counter, _ amount: Int = 1) {
        guard amount > 0 else { return }
        switch counter {
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

/// The body of `GET /ws/stats`.
public struct HubStatistics: Sendable, Encodable {
    public struct Connections: Sendable, Encodable {
        public let websocket: Int
        public let sse: Int
        public let total: Int
    }

    public struct RoomSizes: Sendable, Encodable {
        public let rooms: Int
        public let largest: Int
        public let mean: Double
    }

    public let connections: Connections
    /// Rooms with at least one subscriber, and how many subscribers they hold (no session ids: private sessions
    /// stay private on this unauthenticated endpoint).
    public let subscribersPerRoom: RoomSizes
    public let messagesIn: Int
    public let framesOut: Int
    public let coalesced: Int
    /// Frames not queued because their subscriber had just been closed.
    public let dropped: Int
    public let slowConsumerCloses: Int
    public let floodCloses: Int
    public let rateLimited: Int
    /// Present users by status.
    public let presence: [String: Int]

    enum CodingKeys: String, CodingKey {
        case connections, coalesced, dropped, presence
        case subscribersPerRoom = "subscribers_per_room"
        case messagesIn = "messages_in"
        case framesOut = "frames_out"
        case slowConsumerCloses = "slow_consumer_closes"
        case floodCloses = "flood_closes"
        case rateLimited = "rate_limited"
    }
}
