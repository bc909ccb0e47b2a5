import Models

/// The event publisher until the realtime hub exists: events are already in session_events (the REST event log and
/// future replay read them there), and no live subscriber can be connected yet, so there is no one to deliver to.
struct NoSubscribersPublisher: EventPublisher {
    func publish(_ event: SessionEvent) async {}
}
