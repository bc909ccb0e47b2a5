import Foundation

/// Filters and order for listing the sessions a user can see.
public struct SessionQuery: Sendable, Equatable {
    public var status: SessionStatus?
    public var type: String?
    public var teamID: String?
    public var tag: String?
    public var visibility: SessionVisibility?
    /// Only sessions the caller owns.
    public var ownedByCaller = false
    /// Text to find in project_name or description.
    public var text: String?
    public var sort: SessionSort = .lastActivity
    public var descending = true

    public init() {}
}

/// The orders a session list can be sorted in; each is a non-null column, so keyset pagination stays simple.
public enum SessionSort: String, Sendable, CaseIterable {
    case lastActivity = "last_activity"
    case createdAt = "created_at"
    case startTime = "start_time"
    case tokenCount = "token_count"

    /// Parses `sort` as `field` (ascending) or `-field` (descending).
    public static func parse(_ text: String) throws -> (SessionSort, descending: Bool) {
        let descending = text.hasPrefix("-")
        guard let sort = SessionSort(rawValue: descending ? String(text.dropFirst()) : text) else {
            let names = SessionSort.allCases.map(\.rawValue).joined(separator: ", ")
            throw DomainError.invalid("sort", "must be one of \(names), optionally prefixed with '-'")
        }
        return (sort, descending)
    }
}

/// A metrics snapshot appended to session_history whenever metrics change.
public struct SessionSnapshot: Sendable, Equatable, Encodable {
    public let id: Int64
    public let sessionID: String
    public let recordedAt: Date
    public let status: SessionStatus
    public let tokenCount: Int
    @NullEncoded public var healthScore: Double?
    public let messageCount: Int
    public let fileCount: Int
    public let errorCount: Int

    public init(id: Int64 = 0, of session: CodingSession, at time: Date) {
        self.id = id
        self.sessionID = session.id
        self.recordedAt = time
        self.status = session.status
        self.tokenCount = session.tokenCount
        self.healthScore = session.healthScore
        self.messageCount = session.messageCount
        self.fileCount = session.fileCount
        self.errorCount = session.errorCount
    }

    public init(
        id: Int64, sessionID: String, recordedAt: Date, status: SessionStatus, tokenCount: Int, healthScore: Double?,
        messageCount: Int, fileCount: Int, errorCount: Int
    ) {
        self.id = id
        self.sessionID = sessionID
        self.recordedAt = recordedAt
        self.status = status
        self.tokenCount = tokenCount
        self.healthScore = healthScore
        self.messageCount = messageCount
        self.fileCount = fileCount
        self.errorCount = errorCount
    }

    enum CodingKeys: String, CodingKey {
        case id, status
        case sessionID = "session_id"
        case recordedAt = "recorded_at"
        case tokenCount = "token_count"
        case healthScore = "health_score"
        case messageCount = "message_count"
        case fileCount = "file_count"
        case errorCount = "error_count"
    }
}
