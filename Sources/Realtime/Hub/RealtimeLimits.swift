/// The protective limits of the realtime transports (DESIGN.md's WS_*, SUBSCRIBER_QUEUE_EVENTS, PRESENCE_STALE_SECONDS,
/// SSE_HEARTBEAT_SECONDS, MAX_CONNECTIONS_PER_USER, PRESENCE_JOIN_WINDOW_MS).
public struct RealtimeLimits: Sendable {
    /// Largest accepted client message; a bigger one gets MESSAGE_TOO_LARGE and the connection stays open.
    public var maxMessageBytes: Int
    /// Sustained inbound frames per second per user, across all their connections; bursts may reach twice that.
    public var framesPerSecond: Int
    /// Durable events queued for one subscriber before it is closed as a slow consumer.
    public var subscriberQueueEvents: Int
    public var presenceStaleSeconds: Int
    public var sseHeartbeatSeconds: Int
    /// Live connections (WebSocket and SSE, any sessions) one user may hold.
    public var maxConnectionsPerUser: Int
    /// How long arrivals after an announced one wait to be announced together (`ArrivalBatcher`); zero: each at once.
    public var arrivalWindow: Duration

    public init(
        maxMessageBytes: Int, framesPerSecond: Int, subscriberQueueEvents: Int, presenceStaleSeconds: Int, sseHeartbeatSeconds: Int,
        maxConnectionsPerUser: Int, arrivalWindow: Duration = .milliseconds(50)
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.framesPerSecond = framesPerSecond
        self.subscriberQueueEvents = subscriberQueueEvents
        self.presenceStaleSeconds = presenceStaleSeconds
        self.sseHeartbeatSeconds = sseHeartbeatSeconds
        self.maxConnectionsPerUser = maxConnectionsPerUser
        self.arrivalWindow = arrivalWindow
    }

    /// Inbound frames of one connection handled and not yet answered (most wait for a commit) beyond which its
    /// reader waits for them all: enough for a client sending without waiting to fill a commit.
    static let unansweredFramesPerConnection = 32

    /// How often an idle WebSocket is pinged; a peer that has not answered by the next ping is cut off.
    static let webSocketPingInterval: Duration = .seconds(30)

    /// NIOWebSocket's frame limit on a connection: above ours, so an oversized message is answered, not cut off.
    public static let transportFrameLimit = 1 << 20
}
