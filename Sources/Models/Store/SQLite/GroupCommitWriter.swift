import Foundation
import GRDB
import Synchronization

/// Group commit for the single SQLite writer: writes that arrive while a transaction is committing wait and then
/// commit together in the next one, each inside its own savepoint. A burst of chat messages costs one commit (one
/// WAL sync) instead of one per message, and a write that fails rolls back alone.
///
/// Events appended by a write are staged and published only when its savepoint was kept and the batch committed,
/// in commit order, so a client resuming "after id N" never misses an event that committed earlier.
final class GroupCommitWriter: Sendable {
    /// A queued write: runs inside the batch's transaction, then learns whether the batch committed.
    private struct Job: Sendable {
        let perform: @Sendable (Database) -> [SessionEvent]
        let complete: @Sendable ((any Error)?) -> Void
    }

    private let database: any DatabaseWriter
    private let publisher: any EventPublisher
    private let queue = GroupCommitQueue<Job>()
    /// Events appended by the job running now; only the writer's queue touches it.
    private let staged = Mutex<[SessionEvent]>([])

    init(database: any DatabaseWriter, publisher: any EventPublisher) {
        self.database = database
        self.publisher = publisher
    }

    /// Called by the store while a write appends an event to the log.
    func stage(_ event: SessionEvent) {
        self.staged.withLock { $0.append(event) }
    }

    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = Mutex<Result<T, any Error>?>(nil)
            let job = Job(
                perform: { db in
                    let (result, events) = self.run(updates, in: db)
                    outcome.withLock { $0 = result }
                    return events
                },
                complete: { batchError in
                    if let batchError { return continuation.resume(throwing: batchError) }
                    continuation.resume(with: outcome.withLock { $0 } ?? .failure(CancellationError()))
                }
            )
            _ = self.queue.enqueue(job) { await self.commit($0) }
        }
    }

    /// One batch in one transaction; its writers learn together whether it committed.
    private func commit(_ batch: [Job]) async {
        do {
            try await self.database.write { db in
                let committed = CommittedEvents()
                let publisher = self.publisher
                // Registered before the jobs run: a job that ends the transaction (a ROLLBACK, a full disk) would
                // otherwise leave the hook waiting for the next batch, which would then publish rolled-back events.
                db.afterNextTransaction(onCommit: { _ in for event in committed.events { publisher.publish(event) } })
                var events: [SessionEvent] = []
                for job in batch {
                    events += job.perform(db)
                    // A job ended the transaction: the batch's earlier writes are gone with it, so it fails whole.
                    guard db.isInsideTransaction else { throw DomainError.storeUnavailable(retryAfterSeconds: StoreFailure.retryAfterSeconds) }
                }
                committed.events = events
            }
            for job in batch { job.complete(nil) }
        } catch {
            let failure = StoreFailure.domainError(for: error)
            for job in batch { job.complete(failure) }
        }
    }

    /// One write in its own savepoint: its result and, when it was kept, the events it appended.
    private func run<T>(_ updates: (Database) throws -> T, in db: Database) -> (Result<T, any Error>, [SessionEvent]) {
        self.staged.withLock { $0.removeAll() }
        do {
            var value: T?
            try db.inSavepoint {
                value = try updates(db)
                return .commit
            }
            // Set whenever the savepoint was kept (T may itself be optional: this unwraps one level only).
            guard let value else { return (.failure(CancellationError()), []) }
            return (.success(value), self.staged.withLock { $0 })
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            // A row the request refers to was deleted between the service's checks and this write.
            return (.failure(DomainError.referenceDeleted), [])
        } catch {
            return (.failure(StoreFailure.domainError(for: error)), [])
        }
    }

    /// How many writes wait for the next batch.
    var queuedWrites: Int { self.queue.count }
}

/// The events of a batch, set once its jobs ran and read by the commit hook registered before them.
private final class CommittedEvents: Sendable {
    private let storage = Mutex<[SessionEvent]>([])

    var events: [SessionEvent] {
        get { self.storage.withLock { $0 } }
        set { self.storage.withLock { $0 = newValue } }
    }
}
