import Models
import Synchronization

/// At most `concurrency` jobs at once, at most `queueLimit` more waiting in line; anything beyond is refused at once
/// with 503 and Retry-After. bcrypt is deliberately slow: without a cap, a burst of logins would queue unbounded work
/// on the thread pool and every other request would wait behind it.
final class WorkLimiter: Sendable {
    private struct State {
        var running = 0
        /// Resumed with true when a running job hands its slot over.
        var waiting: [CheckedContinuation<Bool, Never>] = []
    }

    let concurrency: Int
    let queueLimit: Int
    private let state = Mutex(State())

    init(concurrency: Int, queueLimit: Int) {
        self.concurrency = concurrency
        self.queueLimit = queueLimit
    }

    func run<Result: Sendable>(_ job: () async throws -> Result) async throws -> Result {
        try await self.acquire()
        defer { self.release() }
        return try await job()
    }

    private func acquire() async throws {
        // One decision under one lock: run now, wait in line, or refuse (the line is full).
        let admitted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let decision = self.state.withLock { state -> Bool? in
                if state.running < self.concurrency {
                    state.running += 1
                    return true
                }
                guard state.waiting.count < self.queueLimit else { return false }
                state.waiting.append(continuation)
                return nil
            }
            if let decision { continuation.resume(returning: decision) }
        }
        guard admitted else { throw DomainError.serverBusy(retryAfterSeconds: 1) }
    }

    /// Hands the slot to the first job in line (which then counts as running), or frees it.
    private func release() {
        let next = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: true)
    }
}
