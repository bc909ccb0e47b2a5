import Foundation
import GRDB

extension SQLiteStore {
    public func teamAnalytics(teamID: String, from: Date, to: Date, bucket: AnalyticsBucket) async throws -> TeamAnalytics {
        try await self.database.read { db in
            // Sessions shared with the team and alive at some point of the period.
            let inPeriod = "s.team_id = ? AND s.visibility != 'private' AND s.start_time <= ? AND s.last_activity >= ?"
            let arguments: StatementArguments = [teamID, to, from]
            let totals = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS sessions, COUNT(*) FILTER (WHERE s.status = 'active') AS active,
                        COALESCE(SUM(s.token_count), 0) AS tokens, AVG(s.health_score) AS health, COALESCE(SUM(s.error_count), 0) AS errors
                    FROM sessions s WHERE \(inPeriod)
                    """,
                arguments: arguments
            )
            let byStatus = try Self.counts(db, column: "s.status", where: inPeriod, arguments: arguments)
            let byType = try Self.counts(db, column: "s.type", where: inPeriod, arguments: arguments)
            let members = try Row.fetchAll(
                db,
                sql: """
                    SELECT o.user_id, u.username, COUNT(*) AS sessions, COALESCE(SUM(s.token_count), 0) AS tokens
                    FROM sessions s JOIN session_owners o ON o.session_id = s.id LEFT JOIN users u ON u.id = o.user_id
                    WHERE \(inPeriod) GROUP BY o.user_id ORDER BY tokens DESC, o.user_id
                    """,
                arguments: arguments
            )
            let series = try Self.series(db, teamID: teamID, from: from, to: to, bucket: bucket)
            return TeamAnalytics(
                teamID: teamID, from: from, to: to, bucket: bucket,
                sessionsByStatus: Dictionary(uniqueKeysWithValues: SessionStatus.allCases.map { ($0.rawValue, 0) }).merging(byStatus) { $1 },
                sessionsByType: byType, totalSessions: totals?["sessions"] ?? 0, activeSessions: totals?["active"] ?? 0,
                totalTokens: totals?["tokens"] ?? 0, averageHealth: totals?["health"], totalErrors: totals?["errors"] ?? 0,
                tokensByMember: members.map {
                    MemberTokens(userID: $0["user_id"], username: $0["username"], sessions: $0["sessions"], tokens: $0["tokens"])
                },
                series: series
            )
        }
    }

    public func recordTeamMetrics(teamID: String, now: Date, unlessRecordedSince since: Date) async throws -> Bool {
        try await self.write { db in
            // The team's shared sessions as they stand, whatever period a caller asked about; details holds them by status.
            try db.execute(
                sql: """
                    INSERT INTO team_metrics (team_id, recorded_at, total_sessions, active_sessions, total_tokens, average_health, total_errors, details)
                    SELECT * FROM (
                        SELECT ?1, ?2, COUNT(*), COUNT(*) FILTER (WHERE status = 'active'), COALESCE(SUM(token_count), 0), AVG(health_score),
                            COALESCE(SUM(error_count), 0),
                            (SELECT json_group_object(status, n) FROM
                                (SELECT status, COUNT(*) AS n FROM sessions WHERE team_id = ?1 AND visibility != 'private' GROUP BY status))
                        FROM sessions WHERE team_id = ?1 AND visibility != 'private'
                    )
                    -- Outside the aggregate, which yields a row even when it filters every session out.
                    WHERE NOT EXISTS (SELECT 1 FROM team_metrics WHERE team_id = ?1 AND recorded_at > ?3)
                    """,
                arguments: [teamID, now, since]
            )
            return db.changesCount > 0
        }
    }

    public func sessionAnalytics(sessionID: String, historyLimit: Int) async throws -> SessionAnalytics {
        try await self.database.read { db in
            let history = try Row.fetchAll(
                db,
                sql: "SELECT * FROM (SELECT * FROM session_history WHERE session_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
                arguments: [sessionID, historyLimit]
            )
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                        (SELECT COUNT(*) FROM session_messages WHERE session_id = ?1 AND message_type = 'chat' AND deleted_at IS NULL) AS messages,
                        (SELECT COUNT(*) FROM session_messages WHERE session_id = ?1 AND message_type = 'comment' AND deleted_at IS NULL) AS comments,
                        (SELECT COUNT(*) FROM message_reactions r JOIN session_messages m ON m.id = r.message_id WHERE m.session_id = ?1) AS reactions,
                        (SELECT COUNT(*) FROM session_participants WHERE session_id = ?1) AS participants,
                        -- Others' direct messages are not the viewer's to count (their rhythm would leak who writes whom).
                        (SELECT COUNT(*) FROM session_events WHERE session_id = ?1 AND recipient_id IS NULL) AS events
                    """,
                arguments: [sessionID]
            )
            return SessionAnalytics(
                sessionID: sessionID, history: try history.map(Self.snapshot(from:)), messages: row?["messages"] ?? 0,
                comments: row?["comments"] ?? 0, reactions: row?["reactions"] ?? 0, participants: row?["participants"] ?? 0,
                events: row?["events"] ?? 0
            )
        }
    }

    public func personalAnalytics(userID: String) async throws -> PersonalAnalytics {
        try await self.database.read { db in
            let owned = "s.id IN (SELECT session_id FROM session_owners WHERE user_id = ?)"
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                        (SELECT COUNT(*) FROM sessions s WHERE \(owned)) AS sessions,
                        (SELECT COALESCE(SUM(token_count), 0) FROM sessions s WHERE \(owned)) AS tokens,
                        (SELECT AVG(health_score) FROM sessions s WHERE \(owned)) AS health,
                        (SELECT COUNT(*) FROM session_messages WHERE user_id = ?4 AND message_type = 'chat' AND deleted_at IS NULL) AS messages,
                        (SELECT COUNT(*) FROM session_messages WHERE user_id = ?4 AND message_type = 'comment' AND deleted_at IS NULL) AS comments,
                        (SELECT COUNT(*) FROM message_reactions WHERE user_id = ?4) AS reactions,
                        (SELECT COUNT(*) FROM shared_insights WHERE author_id = ?4) AS insights,
                        (SELECT COALESCE(SUM(upvotes), 0) FROM shared_insights WHERE author_id = ?4) AS upvotes,
                        (SELECT COUNT(*) FROM team_members WHERE user_id = ?4) AS teams
                    """,
                arguments: [userID, userID, userID, userID]
            )
            let byStatus = try Self.counts(db, column: "s.status", where: owned, arguments: [userID])
            return PersonalAnalytics(
                sessionsOwned: row?["sessions"] ?? 0,
                sessionsByStatus: Dictionary(uniqueKeysWithValues: SessionStatus.allCases.map { ($0.rawValue, 0) }).merging(byStatus) { $1 },
                totalTokens: row?["tokens"] ?? 0, averageHealth: row?["health"], messagesSent: row?["messages"] ?? 0,
                commentsMade: row?["comments"] ?? 0, reactionsGiven: row?["reactions"] ?? 0, insightsShared: row?["insights"] ?? 0,
                upvotesReceived: row?["upvotes"] ?? 0, teams: row?["teams"] ?? 0
            )
        }
    }

    private static func counts(_ db: Database, column: String, where clause: String, arguments: StatementArguments) throws -> [String: Int] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT \(column) AS key, COUNT(*) AS count FROM sessions s WHERE \(clause) GROUP BY key", arguments: arguments)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["key"] as String, $0["count"] as Int) })
    }

    /// Per bucket: each session's latest figures in it (its largest counts), then summed across sessions.
    private static func series(_ db: Database, teamID: String, from: Date, to: Date, bucket: AnalyticsBucket) throws -> [SeriesPoint] {
        let bucketStart =
            switch bucket {
            // In the wire's form, milliseconds included, like every other time a client reads.
            case .hour: "strftime('%Y-%m-%dT%H:00:00.000Z', h.recorded_at)"
            case .day: "strftime('%Y-%m-%dT00:00:00.000Z', h.recorded_at)"
            // Weeks start on Monday: step back six days, then forward to the next Monday.
            case .week: "strftime('%Y-%m-%dT00:00:00.000Z', h.recorded_at, '-6 days', 'weekday 1')"
            }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT bucket, SUM(snapshots) AS snapshots, SUM(tokens) AS tokens, SUM(errors) AS errors, AVG(health) AS health FROM (
                    SELECT \(bucketStart) AS bucket, h.session_id, COUNT(*) AS snapshots, MAX(h.token_count) AS tokens,
                        MAX(h.error_count) AS errors, AVG(h.health_score) AS health
                    FROM session_history h JOIN sessions s ON s.id = h.session_id
                    WHERE s.team_id = ? AND s.visibility != 'private' AND h.recorded_at >= ? AND h.recorded_at <= ?
                    GROUP BY bucket, h.session_id
                ) GROUP BY bucket ORDER BY bucket
                """,
            arguments: [teamID, from, to]
        )
        return rows.map {
            SeriesPoint(
                bucketStart: $0["bucket"], snapshots: $0["snapshots"], tokens: $0["tokens"], errors: $0["errors"], averageHealth: $0["health"])
        }
    }
}
