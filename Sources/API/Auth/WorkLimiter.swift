import Models
import Synchronization

/// At most `concurrency` jobs at once, at most `queueLimit` more waiting in line; anything beyond is refused at once
/// with 503 and Retry-After. bcrypt is deliberately slow: without a cap, a burst of logins would queue unbounded work
/// on the thread pool and every other request would wait behind it.
final class WorkLimiter: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
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
        enum Admission { case now, queued, refused }
        let admission = self.state.withLock { state -> Admission in
            if state.running < self.concurrency {
                state.running += 1
                return .now
            }
            return state.waiting.count < self.queueLimit ? .queued : .refused
        }
        switch admission {
        case .now: return
        case .refused: throw DomainError.serverBusy(retryAfterSeconds: 1)
        case .queued:
            // The slot is handed over by `release`, so `running` already counts this job when it resumes.
            await withCheckedContinuation { continuation in
                let admitted = self.state.withLock { state -> Bool in
                    guard state.running >= self.concurrency else {
                        state.running += 1
                        return true
                    }
                    state.waiting.append(continuation)
                    return false
                }
                if admitted { continuation.resume() }
            }
        }
    }

    private func release() {
        let next = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
