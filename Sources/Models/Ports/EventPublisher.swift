/// The port through which domain services announce durable changes to live subscribers.
///
/// The realtime hub implements it; domain services never know whether anyone is listening.
public protocol EventPublisher: Sendable {
    /// Hands a change in a session's room to whoever is subscribed to it.
    func publish(_ event: DomainEvent) async
}

/// A change inside a session that connected clients should hear about.
public struct DomainEvent: Sendable, Equatable {
    public let sessionID: String
    /// The wire type (`chat_message`, `session_update` ...), also stored as session_events.type.
    public let type: String
    public let actorID: String?
    public let payload: JSONValue

    public init(sessionID: String, type: String, actorID: String?, payload: JSONValue) {
        self.sessionID = sessionID
        self.type = type
        self.actorID = actorID
        self.payload = payload
    }
}
