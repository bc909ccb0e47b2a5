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
    /// Every node's, in a cluster (this object's other fields are this node's); absent on one node.
    public var cluster: ClusterStatistics?

    enum CodingKeys: String, CodingKey {
        case connections, coalesced, dropped, presence, cluster
        case subscribersPerRoom = "subscribers_per_room"
        case messagesIn = "messages_in"
        case framesOut = "frames_out"
        case slowConsumerCloses = "slow_consumer_closes"
        case floodCloses = "flood_closes"
        case rateLimited = "rate_limited"
    }
}
