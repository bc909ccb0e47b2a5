import Foundation

/// The time buckets of an analytics series.
public enum AnalyticsBucket: String, Sendable, Codable, CaseIterable {
    case hour, day, week
}

/// A team's figures over a period, from its shared sessions and their history.
public struct TeamAnalytics: Sendable, Equatable, Encodable {
    public let teamID: String
    public let from: Date
    public let to: Date
    public let bucket: AnalyticsBucket
    public let sessionsByStatus: [String: Int]
    public let sessionsByType: [String: Int]
    public let totalSessions: Int
    public let activeSessions: Int
    public let totalTokens: Int
    @NullEncoded public var averageHealth: Double?
    public let totalErrors: Int
    public let tokensByMember: [MemberTokens]
    public let series: [SeriesPoint]

    public init(
        teamID: String, from: Date, to: Date, bucket: AnalyticsBucket, sessionsByStatus: [String: Int], sessionsByType: [String: Int],
        totalSessions: Int, activeSessions: Int, totalTokens: Int, averageHealth: Double?, totalErrors: Int, tokensByMember: [MemberTokens],
        series: [SeriesPoint]
    ) {
        self.teamID = teamID
        self.from = from
        self.to = to
        self.bucket = bucket
        self.sessionsByStatus = sessionsByStatus
        self.sessionsByType = sessionsByType
        self.totalSessions = totalSessions
        self.activeSessions = activeSessions
        self.totalTokens = totalTokens
        self.averageHealth = averageHealth
        self.totalErrors = totalErrors
        self.tokensByMember = tokensByMember
        self.series = series
    }

    enum CodingKeys: String, CodingKey {
        case from, to, bucket, series
        case teamID = "team_id"
        case sessionsByStatus = "sessions_by_status"
        case sessionsByType = "sessions_by_type"
        case totalSessions = "total_sessions"
        case activeSessions = "active_sessions"
        case totalTokens = "total_tokens"
        case averageHealth = "average_health"
        case totalErrors = "total_errors"
        case tokensByMember = "tokens_by_member"
    }
}

public struct MemberTokens: Sendable, Equatable, Encodable {
    public let userID: String
    @NullEncoded public var username: String?
    public let sessions: Int
    public let tokens: Int

    public init(userID: String, username: String?, sessions: Int, tokens: Int) {
        self.userID = userID
        self.username = username
        self.sessions = sessions
        self.tokens = tokens
    }

    enum CodingKeys: String, CodingKey {
        case username, sessions, tokens
        case userID = "user_id"
    }
}

/// One bucket of a series: per session the latest figures in the bucket, summed (tokens, errors) or averaged (health).
public struct SeriesPoint: Sendable, Equatable, Encodable {
    public let bucketStart: String
    public let snapshots: Int
    public let tokens: Int
    public let errors: Int
    @NullEncoded public var averageHealth: Double?

    public init(bucketStart: String, snapshots: Int, tokens: Int, errors: Int, averageHealth: Double?) {
        self.bucketStart = bucketStart
        self.snapshots = snapshots
        self.tokens = tokens
        self.errors = errors
        self.averageHealth = averageHealth
    }

    enum CodingKeys: String, CodingKey {
        case snapshots, tokens, errors
        case bucketStart = "bucket_start"
        case averageHealth = "average_health"
    }
}

/// One session's metric history and collaboration.
public struct SessionAnalytics: Sendable, Equatable, Encodable {
    public let sessionID: String
    public let history: [SessionSnapshot]
    public let messages: Int
    public let comments: Int
    public let reactions: Int
    public let participants: Int
    public let events: Int

    public init(sessionID: String, history: [SessionSnapshot], messages: Int, comments: Int, reactions: Int, participants: Int, events: Int) {
        self.sessionID = sessionID
        self.history = history
        self.messages = messages
        self.comments = comments
        self.reactions = reactions
        self.participants = participants
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case history, messages, comments, reactions, participants, events
        case sessionID = "session_id"
    }
}

/// The caller's own figures.
public struct PersonalAnalytics: Sendable, Equatable, Encodable {
    public let sessionsOwned: Int
    public let sessionsByStatus: [String: Int]
    public let totalTokens: Int
    @NullEncoded public var averageHealth: Double?
    public let messagesSent: Int
    public let commentsMade: Int
    public let reactionsGiven: Int
    public let insightsShared: Int
    public let upvotesReceived: Int
    public let teams: Int

    public init(
        sessionsOwned: Int, sessionsByStatus: [String: Int], totalTokens: Int, averageHealth: Double?, messagesSent: Int, commentsMade: Int,
        reactionsGiven: Int, insightsShared: Int, upvotesReceived: Int, teams: Int
    ) {
        self.sessionsOwned = sessionsOwned
        self.sessionsByStatus = sessionsByStatus
        self.totalTokens = totalTokens
        self.averageHealth = averageHealth
        self.messagesSent = messagesSent
        self.commentsMade = commentsMade
        self.reactionsGiven = reactionsGiven
        self.insightsShared = insightsShared
        self.upvotesReceived = upvotesReceived
        self.teams = teams
    }

    enum CodingKeys: String, CodingKey {
        case teams
        case sessionsOwned = "sessions_owned"
        case sessionsByStatus = "sessions_by_status"
        case totalTokens = "total_tokens"
        case averageHealth = "average_health"
        case messagesSent = "messages_sent"
        case commentsMade = "comments_made"
        case reactionsGiven = "reactions_given"
        case insightsShared = "insights_shared"
        case upvotesReceived = "upvotes_received"
    }
}
