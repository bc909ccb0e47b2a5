import NIOCore
import Synchronization

/// Once the hub closed a subscription, gives the transport a grace period to say so, then closes the connection: a
/// stalled client blocks the write of its own close frame, and must not hold a connection forever. A timer on the
/// connection's event loop, not a task: every connection has one, and most never fire.
final class StalledClientCutOff: Sendable {
    private let channel: any Channel
    private let grace: TimeAmount
    /// Disarmed for good once the transport finished by itself; the timer while armed.
    private let state = Mutex<(disarmed: Bool, timer: Scheduled<Void>?)>((false, nil))

    init(channel: any Channel, after grace: Duration) {
        self.channel = channel
        self.grace = TimeAmount(grace)
    }

    func arm() {
        self.state.withLock { state in
            guard !state.disarmed, state.timer == nil else { return }
            let channel = self.channel
            state.timer = channel.eventLoop.scheduleTask(in: self.grace) { channel.close(promise: nil) }
        }
    }

    func disarm() {
        self.state.withLock { state in
            state.disarmed = true
            state.timer?.cancel()
            state.timer = nil
        }
    }
}
