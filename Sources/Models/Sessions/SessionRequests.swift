import Foundation

/// What a CLI or IDE sends to register a session; only `type` is required.
public struct SessionDraft: Sendable, Decodable {
    public var pid: Int?
    public var type: String
    public var status: SessionStatus?
    public var startTime: Date?
    public var workingDirectory: String?
    public var tokenCount: Int?
    public var tokenLimit: Int?
    public var healthScore: Double?
    public var messageCount: Int?
    public var fileCount: Int?
    public var errorCount: Int?
    public var tags: [String]?
    public var projectName: String?
    public var description: String?
    public var teamID: String?
    public var visibility: SessionVisibility?
    public var hostname: String?

    public init(type: String) {
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case pid, type, status, tags, description, visibility, hostname
        case startTime = "start_time"
        case workingDirectory = "working_directory"
        case tokenCount = "token_count"
        case tokenLimit = "token_limit"
        case healthScore = "health_score"
        case messageCount = "message_count"
        case fileCount = "file_count"
        case errorCount = "error_count"
        case projectName = "project_name"
        case teamID = "team_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.type = try container.decode(String.self, forKey: .type)
        self.pid = try container.decodeIfPresent(Int.self, forKey: .pid)
        self.status = try container.decodeIfPresentNonNull(SessionStatus.self, forKey: .status)
        self.startTime = try container.decodeIfPresentNonNull(Date.self, forKey: .startTime)
        self.workingDirectory = try container.decodeIfPresent(String.self, forKey: .workingDirectory)
        self.tokenCount = try container.decodeIfPresentNonNull(Int.self, forKey: .tokenCount)
        self.tokenLimit = try container.decodeIfPresent(Int.self, forKey: .tokenLimit)
        self.healthScore = try container.decodeIfPresent(Double.self, forKey: .healthScore)
        self.messageCount = try container.decodeIfPresentNonNull(Int.self, forKey: .messageCount)
        self.fileCount = try container.decodeIfPresentNonNull(Int.self, forKey: .fileCount)
        self.errorCount = try container.decodeIfPresentNonNull(Int.self, forKey: .errorCount)
        self.tags = try container.decodeIfPresentNonNull([String].self, forKey: .tags)
        self.projectName = try container.decodeIfPresent(String.self, forKey: .projectName)
        self.description = try container.decodeIfPresent(String.self, forKey: .description)
        self.teamID = try container.decodeIfPresent(String.self, forKey: .teamID)
        self.visibility = try container.decodeIfPresentNonNull(SessionVisibility.self, forKey: .visibility)
        self.hostname = try container.decodeIfPresent(String.self, forKey: .hostname)
    }
}

/// A partial update of a session. Absent fields stay; null clears a nullable one.
public struct SessionChanges: Sendable, Decodable, Equatable {
    public var pid: Int??
    public var status: SessionStatus?
    public var workingDirectory: String??
    public var tokenCount: Int?
    public var tokenLimit: Int??
    public var healthScore: Double??
    public var messageCount: Int?
    public var fileCount: Int?
    public var errorCount: Int?
    public var tags: [String]?
    public var projectName: String??
    public var description: String??
    public var teamID: String??
    public var visibility: SessionVisibility?
    public var hostname: String??

    public init() {}

    typealias CodingKeys = SessionDraft.CodingKeys

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.pid = try container.decodePatch(Int.self, forKey: .pid)
        self.status = try container.decodeIfPresentNonNull(SessionStatus.self, forKey: .status)
        self.workingDirectory = try container.decodePatch(String.self, forKey: .workingDirectory)
        self.tokenCount = try container.decodeIfPresentNonNull(Int.self, forKey: .tokenCount)
        self.tokenLimit = try container.decodePatch(Int.self, forKey: .tokenLimit)
        self.healthScore = try container.decodePatch(Double.self, forKey: .healthScore)
        self.messageCount = try container.decodeIfPresentNonNull(Int.self, forKey: .messageCount)
        self.fileCount = try container.decodeIfPresentNonNull(Int.self, forKey: .fileCount)
        self.errorCount = try container.decodeIfPresentNonNull(Int.self, forKey: .errorCount)
        self.tags = try container.decodeIfPresentNonNull([String].self, forKey: .tags)
        self.projectName = try container.decodePatch(String.self, forKey: .projectName)
        self.description = try container.decodePatch(String.self, forKey: .description)
        self.teamID = try container.decodePatch(String.self, forKey: .teamID)
        self.visibility = try container.decodeIfPresentNonNull(SessionVisibility.self, forKey: .visibility)
        self.hostname = try container.decodePatch(String.self, forKey: .hostname)
    }

    /// Whether the change touches the metrics a history snapshot records.
    var touchesMetrics: Bool {
        self.status != nil || self.tokenCount != nil || self.healthScore != nil || self.messageCount != nil || self.fileCount != nil
            || self.errorCount != nil
    }

    /// Whether the change shares or unshares the session (host only).
    var touchesSharing: Bool { self.visibility != nil || self.teamID != nil }

    /// What the caller's role must permit: sharing is a host's decision, metadata an editor's too.
    public var requiredAction: SessionRole.Action { self.touchesSharing ? .manage : .updateMetadata }
}
