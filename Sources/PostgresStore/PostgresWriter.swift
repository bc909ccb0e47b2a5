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

    /// The batch in one transaction; false, with nothing committed and nobody told, when it failed (a write in it, or
    /// the transaction). A batch whose commit may have happened is never run again: that could store it twice.
    private func commitTogether(_ batch: [Job]) async -> Bool {
        let events: [SessionEvent]?
        do {
            events = try await self.transaction { transaction in
                for job in batch {
                    guard await job.perform(transaction) else { return false }
                }
                return true
            }
        } catch let error as CommitOutcomeUnknown {
            for job in batch { job.complete(error.answer) }
            return true
        } catch {
            return false
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
    ///
    /// A COMMIT the server never answered (the connection dropped) may have committed. The transaction's id, taken
    /// before it, settles which on another connection (`txid_status`): a committed write is acknowledged and a lost one
    /// reported, never the other way round. `CommitOutcomeUnknown` when PostgreSQL cannot say.
    private func transaction(_ body: (PostgresTransaction) async -> Bool) async throws -> [SessionEvent]? {
        var committing: (transactionID: Int64, events: [SessionEvent])?
        do {
            return try await self.client.withOpenConnection { connection in
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
                let transactionID = try await transaction.row("SELECT txid_current() AS id")?.get("id", as: Int64.self)
                committing = transactionID.map { ($0, transaction.events) }
                try await connection.query("COMMIT", logger: self.logger)
                return transaction.events
            }
        } catch {
            // An error the server sent is an answer: the transaction did not commit.
            guard let committing, PostgresFailure.sqlState(of: error) == nil else { throw error }
            guard try await self.hasCommitted(transactionID: committing.transactionID) else { throw error }
            return committing.events
        }
    }

    /// Asks until PostgreSQL knows (a connection it has not yet seen drop still shows its transaction in progress).
    private func hasCommitted(transactionID: Int64) async throws -> Bool {
        for attempt in 0..<Self.outcomeQueries {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(200)) }
            let row = try? await self.client.withOpenConnection { connection in
                try await connection.query("SELECT txid_status(\(transactionID)) AS status", logger: self.logger).collect().first
            }
            switch try? row?.makeRandomAccess().get("status", as: String?.self) {
            case "committed": return true
            case "aborted": return false
            default: continue
            }
        }
        self.logger.error("a commit's outcome is unknown", metadata: ["transaction": "\(transactionID)"])
        throw CommitOutcomeUnknown()
    }

    /// About ten seconds of asking.
    private static let outcomeQueries = 50
}

/// A COMMIT sent and never answered, whose outcome PostgreSQL could not tell afterwards.
struct CommitOutcomeUnknown: Error {
    /// What its writers hear: try again later (the write may be stored; the log says).
    var answer: any Error { DomainError.storeUnavailable(retryAfterSeconds: PostgresFailure.retryAfterSeconds) }
}
