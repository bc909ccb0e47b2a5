/// The `error_code` of every problem+json answer and every realtime `error` frame: one vocabulary for REST and
/// WebSocket clients, and a misspelt code is a compile error.
public enum ErrorCode: String, Sendable, CaseIterable, Codable {
    case invalidJSON = "INVALID_JSON"
    case validationFailed = "VALIDATION_FAILED"
    case unauthorized = "UNAUTHORIZED"
    case permissionDenied = "PERMISSION_DENIED"
    case notFound = "NOT_FOUND"
    case methodNotAllowed = "METHOD_NOT_ALLOWED"
    case requestTimeout = "REQUEST_TIMEOUT"
    case conflict = "CONFLICT"
    case messageTooLarge = "MESSAGE_TOO_LARGE"
    case secretDetected = "SECRET_DETECTED"
    case rateLimited = "RATE_LIMITED"
    case tooManyConnections = "TOO_MANY_CONNECTIONS"
    case badRequest = "BAD_REQUEST"
    case unknownType = "UNKNOWN_TYPE"
    case notReady = "NOT_READY"
    case storeUnavailable = "STORE_UNAVAILABLE"
    case serverBusy = "SERVER_BUSY"
    case internalError = "INTERNAL_ERROR"
    /// Realtime only: why a live connection ends.
    case tokenExpired = "TOKEN_EXPIRED"
    case accessRevoked = "ACCESS_REVOKED"
    case slowConsumer = "SLOW_CONSUMER"
}
