import Models

/// An open subscription of one user to one session, whichever transport carries it.
struct LiveConnection: Sendable {
    let subscriber: Subscriber
    /// Sent first: who is here, and the newest event id at subscription.
    let connected: OutboundFrame
    /// Durable events after this id are sent (replayed from the log when resuming, then live).
    let startAfter: Int64
    let isResuming: Bool

    var sessionID: String { self.subscriber.sessionID }
    var user: User { self.subscriber.user }
    /// The standing the hub keeps current; nil while a change to it is being re-checked.
    var access: SessionAccess? { self.subscriber.role.map { SessionAccess(sessionID: self.sessionID, role: $0) } }
}
