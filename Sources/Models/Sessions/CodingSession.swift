import Foundation

/// An LLM coding session a CLI or IDE reports (Claude Code, Cursor, Copilot ...), with its metrics and sharing.
///
/// Named `CodingSession` rather than `Session` so it is never mistaken for an HTTP or database session.
public struct CodingSession: Sendable, Equatable, Encodable {
    public let id: String
    public let ownerID: String
    @NullEncoded public var pid: Int?
    public var type: String
    public var status: SessionStatus
    public var startTime: Date
    public var lastActivity: Date
    @NullEncoded public var workingDirectory: String?
    public var tokenCount: Int
    @NullEncoded public var tokenLimit: Int?
    @NullEncoded public var healthScore: Double?
    public var messageCount: Int
    public var fileCount: Int
    public var errorCount: Int
    public var tags: [String]
    @NullEncoded public var projectName: String?
    @NullEncoded public var description: String?
    @NullEncoded public var teamID: String?
    public var visibility: SessionVisibility
    @NullEncoded public var sharedAt: Date?
    @NullEncoded public var hostname: String?
    public let createdAt: Date
    public var updatedAt: Date
    /// The role of the user the session was loaded for; not stored.
    @NullEncoded public var role: SessionRole?

    enum CodingKeys: String, CodingKey {
        case id, pid, type, status, tags, description, visibility, hostname, role
        case ownerID = "owner_id"
        case startTime = "start_time"
        case lastActivity = "last_activity"
        case workingDirectory = "working_directory"
        case tokenCount = "token_count"
        case tokenLimit = "token_limit"
        case healthScore = "health_score"
        case messageCount = "message_count"
        case fileCount = "file_count"
        case errorCount = "error_count"
        case projectName = "project_name"
        case teamID = "team_id"
        case sharedAt = "shared_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(
        id: String, ownerID: String, pid: Int?, type: String, status: SessionStatus, startTime: Date, lastActivity: Date,
        workingDirectory: String?, tokenCount: Int, tokenLimit: Int?, healthScore: Double?, messageCount: Int, fileCount: Int,
        errorCount: Int, tags: [String], projectName: String?, description: String?, teamID: String?, visibility: SessionVisibility,
        sharedAt: Date?, hostname: String?, createdAt: Date, updatedAt: Date, role: SessionRole? = nil
    ) {
        self.id = id
        self.ownerID = ownerID
        self.pid = pid
        self.type = type
        self.status = status
        self.startTime = startTime
        self.lastActivity = lastActivity
        self.workingDirectory = workingDirectory
        self.tokenCount = tokenCount
        self.tokenLimit = tokenLimit
        self.healthScore = healthScore
        self.messageCount = messageCount
        self.fileCount = fileCount
        self.errorCount = errorCount
        self.tags = tags
        self.projectName = projectName
        self.description = description
        self.teamID = teamID
        self.visibility = visibility
        self.sharedAt = sharedAt
        self.hostname = hostname
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.role = role
    }
}

/// Where a session is in its life.
public enum SessionStatus: String, Sendable, Codable, CaseIterable {
    case active, idle, paused, completed, error
}
