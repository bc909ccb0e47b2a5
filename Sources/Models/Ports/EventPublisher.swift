/// The port through which domain services announce durable changes to live subscribers.
///
/// The realtime hub implements it; domain services never know whether anyone is listening. Events arrive here
/// already stored in the session's event log, so a subscriber that misses one can replay it by id.
public protocol EventPublisher: Sendable {
    func publish(_ event: SessionEvent) async
}
