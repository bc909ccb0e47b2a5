/// The errors domain code throws; the HTTP layer maps each case to one status and the realtime layer to one error code.
///
/// Messages are written for the API's users: they never carry SQL, stack traces or secrets.
public enum DomainError: Error, Sendable, Equatable {
    /// The body could not be parsed at all (400).
    case malformedBody(String)
    /// The body parsed but fields are missing or invalid (422).
    case invalid([FieldProblem])
    /// Missing, bad or expired credentials (401).
    case unauthorized(String)
    /// The caller may see the object but not do this (403).
    case forbidden(String)
    /// No such object, or one the caller may not see (404).
    case notFound(String)
    /// A uniqueness rule or a quota was hit (409).
    case conflict(String)
    /// The request body exceeds the configured limit (413).
    case payloadTooLarge(limitBytes: Int)
    /// Too many writes in the current window (429).
    case rateLimited(retryAfterSeconds: Int)
    /// The server is at a limit it sets itself (concurrent password hashes, MAX_CONNECTIONS); retry later (503).
    case serverBusy(retryAfterSeconds: Int)
    /// The user has MAX_CONNECTIONS_PER_USER live connections open already (429).
    case tooManyConnections(limit: Int)
    /// A text field holds a secret and SECRET_POLICY is `reject`; nothing was stored (422).
    case secretDetected([MaskedSecret])
    /// The store cannot take a write now (disk full, I/O error, locked); nothing was stored (503, retry later).
    case storeUnavailable(retryAfterSeconds: Int)
    /// A realtime message refused as a whole, with its protocol code (UNKNOWN_TYPE, VALIDATION_FAILED ...) (400).
    case rejectedMessage(errorCode: ErrorCode, String)

    /// The code shared with the realtime protocol's `error` frame, so REST and WebSocket clients handle one vocabulary.
    public var errorCode: ErrorCode {
        switch self {
        case .malformedBody: .invalidJSON
        case .invalid: .validationFailed
        case .unauthorized: .unauthorized
        case .forbidden: .permissionDenied
        case .notFound: .notFound
        case .conflict: .conflict
        case .payloadTooLarge: .messageTooLarge
        case .rateLimited: .rateLimited
        case .storeUnavailable: .storeUnavailable
        case .secretDetected: .secretDetected
        case .serverBusy: .serverBusy
        case .tooManyConnections: .tooManyConnections
        case .rejectedMessage(let code, _): code
        }
    }

    /// Field problems a client can show: the invalid fields, or where the secrets are (never their values).
    public var fieldProblems: [FieldProblem]? {
        switch self {
        case .invalid(let problems): problems
        case .secretDetected(let secrets):
            secrets.map { FieldProblem(field: $0.field, message: "holds a \($0.kind.rawValue) at \($0.start) (\($0.length) characters)") }
        default: nil
        }
    }

    /// What a client refused for too many connections is told to wait: long enough for a tab to close.
    public static let tooManyConnectionsRetrySeconds = 5

    /// A row a write refers to was deleted between the service's checks and the write (a session deleted while a
    /// message is posted into it): what a store answers instead of its own constraint error.
    public static let referenceDeleted = DomainError.notFound("Something this request refers to was deleted meanwhile")

    /// A single-field validation failure.
    public static func invalid(_ field: String, _ message: String) -> DomainError {
        .invalid([FieldProblem(field: field, message: message)])
    }
}

/// One invalid field of a request, reported in a problem's `errors` list.
public struct FieldProblem: Sendable, Equatable, Codable {
    /// The field's path in the request, dot-separated (`preferences.theme`).
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
