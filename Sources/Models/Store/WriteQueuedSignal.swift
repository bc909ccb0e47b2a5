import Synchronization

/// Lets a caller that handles requests strictly one after another overlap their commits: both stores' writers commit
/// in the order writes are queued, so once one request's write is queued the next may start without reordering the
/// log. A live connection's reader binds one to `current` around each inbound message and waits for it to open.
package final class WriteQueuedSignal: Sendable {
    /// Opened by the writer's queue once the current task's write has joined it, before that write commits. A class,
    /// so the task-local value is one reference.
    @TaskLocal package static var current: WriteQueuedSignal?

    private let state = Mutex<(open: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    package init() {}

    /// Opens it (again is harmless), resuming the waiter.
    package func open() {
        self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.open = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }

    /// Returns once it is open. One waiter at a time.
    package func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyOpen = self.state.withLock { state -> Bool in
                if !state.open { state.waiter = continuation }
                return state.open
            }
            if alreadyOpen { continuation.resume() }
        }
    }
}
