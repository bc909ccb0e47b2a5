import GRDB

/// What SQLite's failures mean to a client: a store that cannot take the write now (disk full, I/O error, locked
/// past the busy timeout) is a 503 to retry, not a 500; the server stays up, and SQLite recovers by itself once
/// space or the lock returns.
enum StoreFailure {
    /// Seconds a client is told to wait before retrying a write the store could not take.
    static let retryAfterSeconds = 5

    static func domainError(for error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_NOMEM, .SQLITE_ABORT:
            return DomainError.storeUnavailable(retryAfterSeconds: self.retryAfterSeconds)
        default:
            return error
        }
    }
}
