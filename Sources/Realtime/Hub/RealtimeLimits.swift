/// The protective limits of the realtime transports (DESIGN.md's WS_*, SUBSCRIBER_QUEUE_EVENTS, PRESENCE_STALE_SECONDS,
/// SSE_HEARTBEAT_SECONDS).
public struct RealtimeLimits: Sendable {
    /// Largest accepted client message; a bigger one gets MESSAGE_TOO_LARGE and the connection stays open.
    public var maxMessageBytes: Int
    /// Sustained inbound frames per second per connection; bursts may reach twice that.
    public var framesPerSecond: Int
    /// Durable events queued for one subscriber before it is closed as a slow consumer.
    public var subscriberQueueEvents: Int
    public var presenceStaleSeconds: Int
    public var sseHeartbeatSeconds: Int

    public init(maxMessageBytes: Int, framesPerSecond: Int, subscriberQueueEvents: Int, presenceStaleSeconds: Int, sseHeartbeatSeconds: Int) {
        self.maxMessageBytes = maxMessageBytes
        self.framesPerSecond = framesPerSecond
        self.subscriberQueueEvents = subscriberQueueEvents
        self.presenceStaleSeconds = presenceStaleSeconds
        self.sseHeartbeatSeconds = sseHeartbeatSeconds
    }

    /// The WebSocket library's own frame limit: above ours, so an oversized message is answered, not cut off.
    public static let transportFrameLimit = 1 << 20
}
