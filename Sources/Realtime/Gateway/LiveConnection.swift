import Models
import Synchronization

/// An open subscription of one user to one session, whichever transport carries it.
struct LiveConnection: Sendable {
    let subscriber: Subscriber
    /// Sent first: who is here, and the newest event id at subscription. Taken once: in a large room it is the
    /// biggest thing a connection holds, and a connection lives for hours after sending it.
    let connected: OneShot<OutboundFrame>
    /// Durable events after this id are sent (replayed from the log when resuming, then live).
    let startAfter: Int64
    let isResuming: Bool

    var sessionID: String { self.subscriber.sessionID }
    var user: User { self.subscriber.user }
    /// The standing the hub keeps current; nil while a change to it is being re-checked.
    var access: SessionAccess? { self.subscriber.role.map { SessionAccess(sessionID: self.sessionID, role: $0) } }
}

/// A value handed over once; after `take()` nothing keeps it alive.
final class OneShot<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    init(_ value: Value) {
        self.value = Mutex(value)
    }

    func take() -> Value? {
        self.value.withLock { value in
            defer { value = nil }
            return value
        }
    }
}
