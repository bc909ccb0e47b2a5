import Foundation

extension MemoryStore {
    public func teamAnalytics(teamID: String, from: Date, to: Date, bucket: AnalyticsBucket) async throws -> TeamAnalytics {
        try self.read { tables in
            let shared = tables.sharedSessions(teamID: teamID)
            // Alive at some point of the period.
            let inPeriod = shared.filter { $0.startTime <= to && $0.lastActivity >= from }
            let totals = SessionTotals(inPeriod)
            let tokensByMember = Dictionary(grouping: inPeriod, by: \.ownerID)
                .map { owner, sessions in
                    MemberTokens(userID: owner, username: tables.username(of: owner), sessions: sessions.count, tokens: sessions.sum(\.tokenCount))
                }
                .sorted { $0.tokens != $1.tokens ? $0.tokens > $1.tokens : binaryPrecedes($0.userID, $1.userID) }
            return TeamAnalytics(
                teamID: teamID, from: from, to: to, bucket: bucket, sessionsByStatus: totals.byStatus,
                sessionsByType: Dictionary(grouping: inPeriod, by: \.type).mapValues(\.count), totalSessions: totals.count,
                activeSessions: totals.active, totalTokens: totals.tokens, averageHealth: totals.averageHealth, totalErrors: totals.errors,
                tokensByMember: tokensByMember, series: tables.series(of: shared, from: from, to: to, bucket: bucket)
            )
        }
    }

    public func recordTeamMetrics(teamID: String, now: Date, unlessRecordedSince since: Date) async throws -> Bool {
        try self.write { tables in
            guard !(tables.teamMetrics[teamID] ?? []).contains(where: { $0 > since }) else { return false }
            try tables.require(team: teamID)
            tables.teamMetrics[teamID, default: []].append(now)
            return true
        }
    }

    public func sessionAnalytics(sessionID: String, historyLimit: Int) async throws -> SessionAnalytics {
        try self.read { tables in
            let history = tables.history[sessionID] ?? []
            let messages = tables.messages.values.filter { $0.sessionID == sessionID }
            let live = messages.filter { $0.deletedAt == nil }
            return SessionAnalytics(
                // The latest snapshots, oldest first; a negative limit is none, as SQL's LIMIT -1.
                sessionID: sessionID, history: historyLimit < 0 ? history : Array(history.suffix(historyLimit)),
                messages: live.count { $0.type == .chat }, comments: live.count { $0.type == .comment },
                reactions: messages.sum { tables.reactions[$0.id]?.count ?? 0 }, participants: tables.participants[sessionID]?.count ?? 0,
                // Others' direct messages are not the viewer's to count (their rhythm would leak who writes whom).
                events: (tables.events[sessionID] ?? []).count { $0.event.recipientID == nil }
            )
        }
    }

    public func personalAnalytics(userID: String) async throws -> PersonalAnalytics {
        try self.read { tables in
            let owned = SessionTotals(tables.sessions.values.filter { $0.ownerID == userID })
            let sent = tables.messages.values.filter { $0.userID == userID && $0.deletedAt == nil }
            let authored = tables.insights.values.filter { $0.authorID == userID }
            return PersonalAnalytics(
                sessionsOwned: owned.count, sessionsByStatus: owned.byStatus, totalTokens: owned.tokens, averageHealth: owned.averageHealth,
                messagesSent: sent.count { $0.type == .chat }, commentsMade: sent.count { $0.type == .comment },
                reactionsGiven: tables.reactions.values.sum { reactions in reactions.count { $0.userID == userID } }, insightsShared: authored.count,
                upvotesReceived: authored.sum { tables.votes[$0.id]?.count ?? 0 }, teams: tables.members.values.count { $0[userID] != nil }
            )
        }
    }
}

/// The figures SQLite's aggregates give for a set of sessions.
private struct SessionTotals {
    let count: Int
    let active: Int
    let tokens: Int
    /// AVG: of the sessions with a score; nil when none has one.
    let averageHealth: Double?
    let errors: Int
    /// Every status, with the ones no session has at 0.
    let byStatus: [String: Int]

    init(_ sessions: [CodingSession]) {
        self.count = sessions.count
        self.active = sessions.count { $0.status == .active }
        self.tokens = sessions.sum(\.tokenCount)
        self.averageHealth = sessions.compactMap(\.healthScore).average
        self.errors = sessions.sum(\.errorCount)
        var byStatus = Dictionary(uniqueKeysWithValues: SessionStatus.allCases.map { ($0.rawValue, 0) })
        for session in sessions { byStatus[session.status.rawValue, default: 0] += 1 }
        self.byStatus = byStatus
    }
}

extension MemoryStore.Tables {
    /// The sessions a team's figures are made of: shared with it (team or public visibility).
    fileprivate func sharedSessions(teamID: String) -> [CodingSession] {
        self.sessions.values.filter { $0.teamID == teamID && $0.visibility != .private }
    }

    /// Per bucket: each session's latest figures in it (its largest counts), then summed across sessions.
    fileprivate func series(of sessions: [CodingSession], from: Date, to: Date, bucket: AnalyticsBucket) -> [SeriesPoint] {
        let snapshots = sessions.flatMap { self.history[$0.id] ?? [] }.filter { $0.recordedAt >= from && $0.recordedAt <= to }
        let perSession = Dictionary(grouping: snapshots) { BucketedSession(bucket: bucket.start(of: $0.recordedAt), sessionID: $0.sessionID) }
        return Dictionary(grouping: perSession) { $0.key.bucket }
            .map { start, sessions in
                let figures = sessions.map(\.value)
                return SeriesPoint(
                    bucketStart: start, snapshots: figures.sum(\.count), tokens: figures.sum { $0.map(\.tokenCount).max() ?? 0 },
                    errors: figures.sum { $0.map(\.errorCount).max() ?? 0 },
                    averageHealth: figures.compactMap { $0.compactMap(\.healthScore).average }.average
                )
            }
            .sorted { $0.bucketStart < $1.bucketStart }
    }
}

private struct BucketedSession: Hashable {
    let bucket: String
    let sessionID: String
}

extension AnalyticsBucket {
    /// The start of the bucket a time falls in, as a wire timestamp (what SQLite's strftime makes of it).
    fileprivate func start(of time: Date) -> String {
        let day = (time.timeIntervalSince1970 / 86_400).rounded(.down)
        let start =
            switch self {
            case .hour: (time.timeIntervalSince1970 / 3_600).rounded(.down) * 3_600
            case .day: day * 86_400
            // Weeks start on Monday; day 0, 1970-01-01, was a Thursday, 3 days after one.
            case .week: (day - ((day + 3).truncatingRemainder(dividingBy: 7) + 7).truncatingRemainder(dividingBy: 7)) * 86_400
            }
        return WireFormat.timestamp(Date(timeIntervalSince1970: start))
    }
}

extension Sequence {
    fileprivate func sum(_ value: (Element) -> Int) -> Int {
        self.reduce(0) { $0 + value($1) }
    }
}

extension Array where Element == Double {
    /// SQL's AVG: nil of no values.
    fileprivate var average: Double? {
        self.isEmpty ? nil : self.reduce(0, +) / Double(self.count)
    }
}
