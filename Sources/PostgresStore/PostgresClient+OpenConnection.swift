import Models
import PostgresNIO

extension PostgresClient {
    /// Runs `body` on a pooled connection that is still open.
    ///
    /// Right after a connection drops, the pool may lease it once more (its release overtook its closing), and
    /// postgres-nio 1.33 drops a query written to a closed channel without failing it: the caller would wait forever,
    /// and with it the writer and every write of this node. Such a connection goes back unused, and another is leased
    /// once the pool has seen it close.
    package func withOpenConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        for attempt in 0..<Self.openLeaseAttempts {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(10 * attempt)) }
            let leased: Leased<Result> = try await self.withConnection { connection in
                guard !connection.isClosed else { return .closed }
                return .open(try await body(connection))
            }
            if case .open(let result) = leased { return result }
        }
        throw DomainError.storeUnavailable(retryAfterSeconds: PostgresFailure.retryAfterSeconds)
    }

    /// About half a second of leasing in all.
    private static var openLeaseAttempts: Int { 10 }
}

private enum Leased<Result> {
    case open(Result)
    case closed
}
