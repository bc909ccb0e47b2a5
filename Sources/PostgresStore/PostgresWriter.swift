import Foundation
import Logging
import Metrics
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

/// This node's writes, one transaction at a time, in the order they arrive.
///
/// Why one writer rather than a transaction per request on the pool: `EventPublisher.publish` must see this node's
/// events in id order. With concurrent transactions, the one holding id 8 could commit and publish before the one holding
/// id 7 published (the counter lock orders commits, not the code after them). One writer commits and publishes each
/// transaction before it begins the next, so publication follows commit order without a reorder buffer; it also makes
/// the per-node rules (quotas, team size) trivially serial, while row locks keep them right across nodes. Reads do not
/// wait for it: they use the pool.
final class PostgresWriter: Sendable {
    private typealias Job = @Sendable () async -> Void

    private let client: PostgresClient
    private let publisher: any EventPublisher
    private let logger: Logger
    private let jobs: AsyncStream<Job>.Continuation
    /// The SQLite store's figures, for one dashboard whatever the backend: here every batch is one transaction.
    private let batchSizes = Recorder(label: "sessionhub_store_write_batch_size")
    private let batchDurations = Metrics.Timer(label: "sessionhub_store_write_batch_duration_seconds")

    init(client: PostgresClient, publisher: any EventPublisher, logger: Logger) {
        self.client = client
        self.publisher = publisher
        self.logger = logger
        let (stream, jobs) = AsyncStream<Job>.makeStream()
        self.jobs = jobs
        // Ends once `finish` was called and the queue drained.
        Task {
            for await job in stream { await job() }
        }
    }

    /// No more writes: the queued ones still run.
    func finish() {
        self.jobs.finish()
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job: Job = {
                let started = ContinuousClock.now
                defer {
                    self.batchSizes.record(1)
                    self.batchDurations.record(duration: started.duration(to: .now))
                }
                do {
                    let (value, events) = try await self.commit(body)
                    for event in events { self.publisher.publish(event) }
                    continuation.resume(returning: value)
                } catch {
                    continuation.resume(throwing: PostgresFailure.domainError(for: error))
                }
            }
            if case .terminated = self.jobs.yield(job) {
                continuation.resume(throwing: DomainError.storeUnavailable(retryAfterSeconds: PostgresFailure.retryAfterSeconds))
            }
        }
    }

    /// BEGIN, the body, COMMIT; a failure rolls back and rethrows the body's own error (not a wrapper around it).
    private func commit<T: Sendable>(_ body: @Sendable (PostgresTransaction) async throws -> T) async throws -> (T, [SessionEvent]) {
        try await self.client.withConnection { connection in
            let transaction = PostgresTransaction(connection: connection, logger: self.logger)
            try await connection.query("BEGIN", logger: self.logger)
            do {
                let value = try await body(transaction)
                try await connection.query("COMMIT", logger: self.logger)
                return (value, transaction.events)
            } catch {
                do {
                    try await connection.query("ROLLBACK", logger: self.logger)
                } catch let rollbackError {
                    self.logger.warning("ROLLBACK failed", metadata: ["error": "\(String(reflecting: rollbackError))"])
                }
                throw error
            }
        }
    }
}
