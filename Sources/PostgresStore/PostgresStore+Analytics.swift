import Foundation
import Models
import PostgresNIO

/// SUM over BIGINT is NUMERIC in PostgreSQL, so sums are cast back to BIGINT (counts far below its range).
extension PostgresStore {
    public func teamAnalytics(teamID: String, from: Date, to: Date, bucket: AnalyticsBucket) async throws -> TeamAnalytics {
        let sql = SQLBuilder()
        // Sessions shared with the team and alive at some point of the period.
        let inPeriod =
            "s.team_id = \(sql.bind(teamID)) AND s.visibility != 'private' AND s.start_time <= \(sql.bind(to)) AND s.last_activity >= \(sql.bind(from))"
        let totals = try await self.row(
            sql.query(
                """
                SELECT COUNT(*) AS sessions, COUNT(*) FILTER (WHERE s.status = 'active') AS active,
                    COALESCE(SUM(s.token_count), 0)::bigint AS tokens, AVG(s.health_score) AS health,
                    COALESCE(SUM(s.error_count), 0)::bigint AS errors
                FROM sessions s WHERE \(inPeriod)
                """
            )
        )
        let byStatus = try await self.counts(column: "s.status", where: inPeriod, sql)
        let byType = try await self.counts(column: "s.type", where: inPeriod, sql)
        let members = try await self.rows(
            sql.query(
                """
                SELECT o.user_id, MIN(u.username) AS username, COUNT(*) AS sessions, COALESCE(SUM(s.token_count), 0)::bigint AS tokens
                FROM sessions s JOIN session_owners o ON o.session_id = s.id LEFT JOIN users u ON u.id = o.user_id
                WHERE \(inPeriod) GROUP BY o.user_id ORDER BY tokens DESC, o.user_id
                """
            )
        )
        let series = try await self.series(teamID: teamID, from: from, to: to, bucket: bucket)
        return TeamAnalytics(
            teamID: teamID, from: from, to: to, bucket: bucket,
            sessionsByStatus: Dictionary(uniqueKeysWithValues: SessionStatus.allCases.map { ($0.rawValue, 0) }).merging(byStatus) { $1 },
            sessionsByType: byType, totalSessions: try totals?.get("sessions") ?? 0, activeSessions: try totals?.get("active") ?? 0,
            totalTokens: try totals?.get("tokens") ?? 0, averageHealth: try totals?.get("health", as: Double?.self) ?? nil,
            totalErrors: try totals?.get("errors") ?? 0,
            tokensByMember: try members.map {
                MemberTokens(
                    userID: try $0.get("user_id"), username: try $0.get("username"), sessions: try $0.get("sessions"), tokens: try $0.get("tokens"))
            },
            series: series
        )
    }

    public func recordTeamMetrics(teamID: String, now: Date, unlessRecordedSince since: Date) async throws -> Bool {
        try await self.write { transaction in
            let sql = SQLBuilder()
            let team = sql.bind(teamID)
            // The team's shared sessions as they stand, whatever period a caller asked about; details holds them by status.
            let inserted = try await transaction.changedRows(
                sql.query(
                    """
                    INSERT INTO team_metrics (team_id, recorded_at, total_sessions, active_sessions, total_tokens, average_health, total_errors, details)
                    SELECT * FROM (
                        SELECT \(team) AS team_id, \(sql.bind(now))::timestamptz AS recorded_at, COUNT(*) AS total_sessions,
                            COUNT(*) FILTER (WHERE status = 'active') AS active_sessions, COALESCE(SUM(token_count), 0)::bigint AS total_tokens,
                            AVG(health_score) AS average_health, COALESCE(SUM(error_count), 0)::bigint AS total_errors,
                            COALESCE((SELECT json_object_agg(status, n) FROM
                                (SELECT status, COUNT(*) AS n FROM sessions WHERE team_id = \(team) AND visibility != 'private' GROUP BY status) counts
                            )::text, '{}') AS details
                        FROM sessions WHERE team_id = \(team) AND visibility != 'private'
                    ) snapshot
                    -- Outside the aggregate, which yields a row even when it filters every session out.
                    WHERE NOT EXISTS (SELECT 1 FROM team_metrics WHERE team_id = \(team) AND recorded_at > \(sql.bind(since)))
                    RETURNING 1
                    """
                )
            )
            return inserted > 0
        }
    }

    public func sessionAnalytics(sessionID: String, historyLimit: Int) async throws -> SessionAnalytics {
        let history = try await self.rows(
            """
            SELECT * FROM (SELECT * FROM session_history WHERE session_id = \(sessionID) ORDER BY id DESC LIMIT \(historyLimit)) latest ORDER BY id
            """
        )
        let sql = SQLBuilder()
        let session = sql.bind(sessionID)
        let row = try await self.row(
            sql.query(
                """
                SELECT
                    (SELECT COUNT(*) FROM session_messages WHERE session_id = \(session) AND message_type = 'chat' AND deleted_at IS NULL)
                        AS messages,
                    (SELECT COUNT(*) FROM session_messages WHERE session_id = \(session) AND message_type = 'comment' AND deleted_at IS NULL)
                        AS comments,
                    (SELECT COUNT(*) FROM message_reactions r JOIN session_messages m ON m.id = r.message_id WHERE m.session_id = \(session))
                        AS reactions,
                    (SELECT COUNT(*) FROM session_participants WHERE session_id = \(session)) AS participants,
                    -- Others' direct messages are not the viewer's to count (their rhythm would leak who writes whom).
                    (SELECT COUNT(*) FROM session_events WHERE session_id = \(session) AND recipient_id IS NULL) AS events
                """
            )
        )
        return SessionAnalytics(
            sessionID: sessionID, history: try history.map(Self.snapshot(from:)), messages: try row?.get("messages") ?? 0,
            comments: try row?.get("comments") ?? 0, reactions: try row?.get("reactions") ?? 0,
            participants: try row?.get("participants") ?? 0, events: try row?.get("events") ?? 0
        )
    }

    public func personalAnalytics(userID: String) async throws -> PersonalAnalytics {
        let sql = SQLBuilder()
        let user = sql.bind(userID)
        let owned = "s.id IN (SELECT session_id FROM session_owners WHERE user_id = \(user))"
        let row = try await self.row(
            sql.query(
                """
                SELECT
                    (SELECT COUNT(*) FROM sessions s WHERE \(owned)) AS sessions,
                    (SELECT COALESCE(SUM(token_count), 0)::bigint FROM sessions s WHERE \(owned)) AS tokens,
                    (SELECT AVG(health_score) FROM sessions s WHERE \(owned)) AS health,
                    (SELECT COUNT(*) FROM session_messages WHERE user_id = \(user) AND message_type = 'chat' AND deleted_at IS NULL) AS messages,
                    (SELECT COUNT(*) FROM session_messages WHERE user_id = \(user) AND message_type = 'comment' AND deleted_at IS NULL) AS comments,
                    (SELECT COUNT(*) FROM message_reactions WHERE user_id = \(user)) AS reactions,
                    (SELECT COUNT(*) FROM shared_insights WHERE author_id = \(user)) AS insights,
                    (SELECT COALESCE(SUM(upvotes), 0)::bigint FROM shared_insights WHERE author_id = \(user)) AS upvotes,
                    (SELECT COUNT(*) FROM team_members WHERE user_id = \(user)) AS teams
                """
            )
        )
        let byStatus = try await self.counts(column: "s.status", where: owned, sql)
        return PersonalAnalytics(
            sessionsOwned: try row?.get("sessions") ?? 0,
            sessionsByStatus: Dictionary(uniqueKeysWithValues: SessionStatus.allCases.map { ($0.rawValue, 0) }).merging(byStatus) { $1 },
            totalTokens: try row?.get("tokens") ?? 0, averageHealth: try row?.get("health", as: Double?.self) ?? nil,
            messagesSent: try row?.get("messages") ?? 0, commentsMade: try row?.get("comments") ?? 0,
            reactionsGiven: try row?.get("reactions") ?? 0, insightsShared: try row?.get("insights") ?? 0,
            upvotesReceived: try row?.get("upvotes") ?? 0, teams: try row?.get("teams") ?? 0
        )
    }

    /// Sessions counted by `column`, the clause's parameters already bound in `sql`.
    private func counts(column: String, where clause: String, _ sql: SQLBuilder) async throws -> [String: Int] {
        let rows = try await self.rows(sql.query("SELECT \(column) AS key, COUNT(*) AS count FROM sessions s WHERE \(clause) GROUP BY key"))
        var counts: [String: Int] = [:]
        for row in rows {
            let key: String = try row.get("key")
            counts[key] = try row.get("count", as: Int.self)
        }
        return counts
    }

    /// Per bucket: each session's latest figures in it (its largest counts), then summed across sessions.
    private func series(teamID: String, from: Date, to: Date, bucket: AnalyticsBucket) async throws -> [SeriesPoint] {
        // In the wire's form, milliseconds included, like every other time a client reads; weeks start on Monday.
        let (unit, format) =
            switch bucket {
            case .hour: ("hour", #"YYYY-MM-DD"T"HH24":00:00.000Z""#)
            case .day: ("day", #"YYYY-MM-DD"T00:00:00.000Z""#)
            case .week: ("week", #"YYYY-MM-DD"T00:00:00.000Z""#)
            }
        let rows = try await self.rows(
            """
            SELECT bucket, SUM(snapshots)::bigint AS snapshots, SUM(tokens)::bigint AS tokens, SUM(errors)::bigint AS errors,
                AVG(health) AS health FROM (
                SELECT to_char(date_trunc(\(unit), h.recorded_at AT TIME ZONE 'UTC'), \(format)) AS bucket, h.session_id,
                    COUNT(*) AS snapshots, MAX(h.token_count) AS tokens, MAX(h.error_count) AS errors, AVG(h.health_score) AS health
                FROM session_history h JOIN sessions s ON s.id = h.session_id
                WHERE s.team_id = \(teamID) AND s.visibility != 'private' AND h.recorded_at >= \(from) AND h.recorded_at <= \(to)
                GROUP BY bucket, h.session_id
            ) per_session GROUP BY bucket ORDER BY bucket
            """
        )
        return try rows.map {
            SeriesPoint(
                bucketStart: try $0.get("bucket"), snapshots: try $0.get("snapshots"), tokens: try $0.get("tokens"), errors: try $0.get("errors"),
                averageHealth: try $0.get("health"))
        }
    }
}
