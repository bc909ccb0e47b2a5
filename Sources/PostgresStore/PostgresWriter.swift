import Foundation
import Logging
import Models
import PostgresNIO
import Synchronization

/// One open transaction of the writer: the connection it runs on and the events it appended.
final class PostgresTransaction {
    let connection: PostgresConnection
    let logger: Logger
    fileprivate(set) var events: [SessionEvent] = []

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await self.connection.query(query, logger: self.logger).collect().map { $0.makeRandomAccess() }
    }

    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await self.rows(query).first
    }

    func execute(_ query: PostgresQuery) async throws {
        _ = try await self.rows(query)
    }

    /// How many rows a statement ending in `RETURNING 1` changed.
    func changedRows(_ query: PostgresQuery) async throws -> Int {
        try await self.rows(query).count
    }

    func stage(_ event: SessionEvent) {
        self.events.append(event)
    }
}

/// This node's writes, with group commit: writes that arrive while a transaction runs wait, then run together in the
/// next one. A burst of chat messages costs one commit (one WAL flush) rather than one each.
///
/// A write that fails takes the batch down with it (PostgreSQL aborts the transaction at the first error); the batch
/// is then rolled back and each of its writes runs again in a transaction of its own, so a failure is only ever its
/// own writer's. That is cheaper than a savepoint around every write, two more round trips each, because writes
/// rarely fail in the database: the services refuse most bad requests before they write.
///
/// Why one writer rather than transactions on the pool: `EventPublisher.publish` must see this node's events in id
/// order. With concurrent transactions, the one holding id 8 could commit and publish before the one holding id 7
/// published (the counter lock orders commits, not the code after them). One writer publishes each batch before it
/// begins the next, so publication follows commit order without a reorder buffer; row locks keep the rules (quotas,
/// team sizes) right across nodes. Reads do not wait for it: they use the pool.
final class PostgresWriter: Sendable {
    /// A queued write: runs inside a transaction (returning whether it succeeded), then learns whether that committed.
    private struct Job: Sendable {
        let perform: @Sendable (PostgresTransaction) async -> Bool
        let complete: @Sendable ((any Error)?) -> Void
    }

    private let client: PostgresClient
    private let publisher: any EventPublisher
    private let logger: Logger
    private let queue = GroupCommitQueue<Job>()

    init(client: PostgresClient, publisher: any EventPublisher, logger: Logger) {
        self.client = client
        self.publisher = publisher
        self.logger = logger
    }

    /// No more writes: the queued ones still run.
    func finish() {
        self.queue.finish()
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = Mutex<Result<T, any Error>?>(nil)
            let job = Job(
                perform: { transaction in
                    do {
                        let value = try await body(transaction)
                        outcome.withLock { $0 = .success(value) }
                        return true
                    } catch {
                        outcome.withLock { $0 = .failure(PostgresFailure.domainError(for: error)) }
                        return false
                    }
                },
                complete: { transactionError in
                    if let transactionError { return continuation.resume(throwing: transactionError) }
                    continuation.resume(with: outcome.withLock { $0 } ?? .failure(CancellationError()))
                }
            )
            guard self.queue.enqueue(job, commit: { await self.commit($0) }) else {
                return continuation.resume(throwing: DomainError.storeUnavailable(retryAfterSeconds: PostgresFailure.retryAfterSeconds))
            }
        }
    }

    /// The batch in one transaction; when a write in it failed, each write again in a transaction of its own.
    private func commit(_ batch: [Job]) async {
        let committed = batch.count > 1 ? await self.commitTogether(batch) : false
        if !committed {
            for job in batch { await self.commitAlone(job) }
        }
    }

    /// The batch in one transaction; false, with everything rolled back and nobody told, when any write failed.
    private func commitTogether(_ batch: [Job]) async -> Bool {
        let events = try? await self.transaction { transaction in
            for job in batch {
                guard await job.perform(transaction) else { return false }
            }
            return true
        }
        guard let events else { return false }
        for event in events { self.publisher.publish(event) }
        for job in batch { job.complete(nil) }
        return true
    }

    /// One write in its own transaction: its writer learns its own result, or why the transaction failed.
    private func commitAlone(_ job: Job) async {
        do {
            let events = try await self.transaction { await job.perform($0) }
            for event in events ?? [] { self.publisher.publish(event) }
            job.complete(nil)
        } catch {
            job.complete(PostgresFailure.domainError(for: error))
        }
    }

    /// BEGIN, `body`, then COMMIT when it says so (returning the events appended) or ROLLBACK (returning nil).
    private func transaction(_ body: (PostgresTransaction) async -> Bool) async throws -> [SessionEvent]? {
        try await self.client.withConnection { connection in
            let transaction = PostgresTransaction(connection: connection, logger: self.logger)
            try await connection.query("BEGIN", logger: self.logger)
            guard await body(transaction) else {
                do {
                    try await connection.query("ROLLBACK", logger: self.logger)
                } catch {
                    self.logger.warning("ROLLBACK failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                return nil
            }
            try await connection.query("COMMIT", logger: self.logger)
            return transaction.events
        }
    }
}
