import Foundation
import Testing

@Suite("Analytics over HTTP")
struct AnalyticsTests {
    @Test func teamReportCountsSharedSessionsAndBucketsHistory() async throws {
        try await withApp { client in
            // The UTC day (ISO8601Format writes UTC).
            let dayAtStart = Date().ISO8601Format().prefix(10)
            let lead = try await client.registerAndLogin(prefix: "lead")
            let dev = try await client.registerAndLogin(prefix: "dev")
            let outsider = try await client.registerAndLogin()
            let teamID = try #require(try await client.post("/api/teams", json: ["name": "Metrics"], headers: lead.bearer).json?["id"] as? String)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": dev.id, "role": "member"], headers: lead.bearer)
            let first = try await client.createSession(as: lead, ["team_id": teamID, "visibility": "team", "token_count": 100, "health_score": 80])
            _ = try await client.createSession(
                as: dev, ["team_id": teamID, "visibility": "team", "type": "cursor", "token_count": 50, "health_score": 60])
            _ = try await client.createSession(as: lead, ["team_id": teamID, "token_count": 10_000])  // private: not the team's
            _ = try await client.patch(
                "/api/sessions/\(first)", json: ["token_count": 300, "error_count": 3, "status": "completed"], headers: lead.bearer)

            let response = try await client.get("/api/analytics/team?team_id=\(teamID)&bucket=day", headers: dev.bearer)
            #expect(response.status == 200)
            let report = try #require(response.json)
            #expect(report["total_sessions"] as? Int == 2)
            #expect(report["total_tokens"] as? Int == 350)
            #expect(report["total_errors"] as? Int == 3)
            #expect(report["average_health"] as? Double == 70)
            #expect((report["sessions_by_status"] as? [String: Int])?["completed"] == 1)
            #expect((report["sessions_by_type"] as? [String: Int]) == ["claude_code": 1, "cursor": 1])
            let members = try #require(report["tokens_by_member"] as? [[String: Any]])
            #expect(members.first?["user_id"] as? String == lead.id)
            #expect(members.first?["tokens"] as? Int == 300)
            let series = try #require(report["series"] as? [[String: Any]])
            #expect(series.compactMap { $0["snapshots"] as? Int }.reduce(0, +) == 3)
            // Snapshots taken on both sides of midnight UTC fall into two day buckets.
            if Date().ISO8601Format().prefix(10) == dayAtStart {
                #expect(series.count == 1)
                #expect(series.first?["tokens"] as? Int == 350, "each session's largest count in the bucket, summed")
            } else {
                #expect(series.count == 2)
            }
            // A day bucket starts at midnight UTC, written like every other time on the wire.
            let bucketStart = try #require(series.first?["bucket_start"] as? String)
            #expect(bucketStart.wholeMatch(of: /\d{4}-\d{2}-\d{2}T00:00:00\.000Z/) != nil, "\(bucketStart)")

            #expect(try await client.get("/api/analytics/team?team_id=\(teamID)", headers: outsider.bearer).status == 404)
            for bad in [
                "", "&bucket=month", "&from=yesterday", "&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
                "&from=2020-01-01T00:00:00Z&bucket=hour",
            ] {
                let path = bad.isEmpty ? "/api/analytics/team" : "/api/analytics/team?team_id=\(teamID)\(bad)"
                #expect(try await client.get(path, headers: lead.bearer).status == 422, "\(bad)")
            }
        }
    }

    @Test func sessionAndPersonalReports() async throws {
        try await withApp { client in
            let owner = try await client.registerAndLogin()
            let outsider = try await client.registerAndLogin()
            let id = try await client.createSession(as: owner, ["token_count": 10])
            _ = try await client.patch("/api/sessions/\(id)", json: ["token_count": 20], headers: owner.bearer)
            let messageID = try #require(
                try await client.post("/api/sessions/\(id)/messages", json: ["content": "hi"], headers: owner.bearer).json?["id"] as? String)
            _ = try await client.post(
                "/api/sessions/\(id)/messages", json: ["type": "comment", "content": "c", "file": "a.swift", "line": 1], headers: owner.bearer)
            _ = try await client.post("/api/sessions/\(id)/messages/\(messageID)/reactions", json: ["emoji": "✅"], headers: owner.bearer)
            _ = try await client.post("/api/insights", json: ["title": "t", "content": "c", "insight_type": "learning"], headers: owner.bearer)

            let session = try #require(try await client.get("/api/analytics/sessions/\(id)", headers: owner.bearer).json)
            #expect((session["history"] as? [[String: Any]])?.compactMap { $0["token_count"] as? Int } == [10, 20])
            #expect(session["messages"] as? Int == 1)
            #expect(session["comments"] as? Int == 1)
            #expect(session["reactions"] as? Int == 1)
            #expect(session["participants"] as? Int == 1)
            #expect(try await client.get("/api/analytics/sessions/\(id)", headers: outsider.bearer).status == 404)

            let me = try #require(try await client.get("/api/analytics/me", headers: owner.bearer).json)
            #expect(me["sessions_owned"] as? Int == 1)
            #expect(me["total_tokens"] as? Int == 20)
            #expect(me["messages_sent"] as? Int == 1)
            #expect(me["comments_made"] as? Int == 1)
            #expect(me["reactions_given"] as? Int == 1)
            #expect(me["insights_shared"] as? Int == 1)
            #expect((try await client.get("/api/analytics/me", headers: outsider.bearer).json?["sessions_owned"] as? Int) == 0)
        }
    }
}
