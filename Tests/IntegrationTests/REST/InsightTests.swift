import Foundation
import Testing

@Suite("Insights over HTTP")
struct InsightTests {
    @Test func sharedWithEveryoneOrATeam() async throws {
        try await withApp { client in
            let author = try await client.registerAndLogin()
            let colleague = try await client.registerAndLogin()
            let stranger = try await client.registerAndLogin()
            let teamID = try #require(
                try await client.post("/api/teams", json: ["name": "Insightful"], headers: author.bearer).json?["id"] as? String)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": colleague.id, "role": "member"], headers: author.bearer)
            let everyone = try await client.post(
                "/api/insights",
                json: ["title": "Small commits", "content": "Review faster", "insight_type": "recommendation", "tags": ["git"]],
                headers: author.bearer
            )
            #expect(everyone.status == 201)
            let teamOnly = try await client.post(
                "/api/insights",
                json: ["title": "Our flaky test", "content": "Retry once", "insight_type": "learning", "team_id": teamID],
                headers: author.bearer
            )
            let teamInsightID = try #require(teamOnly.json?["id"] as? String)
            #expect(try await client.collectPages("/api/insights", limit: 1, headers: stranger.bearer).items.count == 1)
            #expect(try await client.collectPages("/api/insights", limit: 1, headers: colleague.bearer).items.count == 2)
            #expect(try await client.get("/api/insights/\(teamInsightID)", headers: stranger.bearer).status == 404)
            let filtered = try await client.collectPages(
                "/api/insights?insight_type=recommendation&tag=git&q=commits", limit: 10, headers: stranger.bearer)
            #expect(filtered.items.count == 1)
            let foreign = try await client.post(
                "/api/insights",
                json: ["title": "t", "content": "c", "insight_type": "pattern", "team_id": teamID],
                headers: stranger.bearer
            )
            #expect(foreign.status == 403)
            #expect(try await client.post("/api/insights", json: ["title": "t", "content": "c"], headers: stranger.bearer).status == 422)
        }
    }

    @Test func viewsUpvotesAndTopOrder() async throws {
        try await withApp { client in
            let author = try await client.registerAndLogin()
            let readers = try await (0..<2).asyncMap { _ in try await client.registerAndLogin() }
            var ids: [String] = []
            for title in ["first", "second", "third"] {
                let created = try await client.post(
                    "/api/insights", json: ["title": title, "content": "c", "insight_type": "pattern"], headers: author.bearer)
                ids.append(try #require(created.json?["id"] as? String))
            }
            for reader in readers {
                let voted = try await client.post("/api/insights/\(ids[1])/upvote", json: [:], headers: reader.bearer)
                #expect(voted.json?["upvoted"] as? Bool == true)
            }
            let repeated = try await client.post("/api/insights/\(ids[1])/upvote", json: [:], headers: readers[0].bearer)
            #expect(repeated.json?["upvotes"] as? Int == 2)
            _ = try await client.post("/api/insights/\(ids[2])/upvote", json: [:], headers: readers[0].bearer)
            let top = try await client.collectPages("/api/insights?sort=top", limit: 2, headers: author.bearer)
            #expect(top.items.compactMap { $0["id"] as? String } == [ids[1], ids[2], ids[0]])
            let recent = try await client.collectPages("/api/insights", limit: 2, headers: author.bearer)
            #expect(recent.items.compactMap { $0["id"] as? String } == ids.reversed())
            let withdrawn = try await client.request("DELETE", "/api/insights/\(ids[1])/upvote", headers: readers[1].bearer)
            #expect(withdrawn.json?["upvotes"] as? Int == 1)
            #expect(try await client.get("/api/insights/\(ids[0])", headers: readers[0].bearer).json?["views"] as? Int == 1)
            #expect(try await client.get("/api/insights/\(ids[0])", headers: readers[1].bearer).json?["views"] as? Int == 2)
        }
    }

    @Test func authorsEditAuthorsAndTeamAdminsDelete() async throws {
        try await withApp { client in
            let admin = try await client.registerAndLogin()
            let author = try await client.registerAndLogin()
            let teamID = try #require(try await client.post("/api/teams", json: ["name": "Editors"], headers: admin.bearer).json?["id"] as? String)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": author.id, "role": "member"], headers: admin.bearer)
            let id = try #require(
                try await client.post(
                    "/api/insights", json: ["title": "t", "content": "c", "insight_type": "learning", "team_id": teamID], headers: author.bearer
                )
                .json?["id"] as? String
            )
            #expect(try await client.patch("/api/insights/\(id)", json: ["title": "mine"], headers: admin.bearer).status == 403)
            let edited = try await client.patch("/api/insights/\(id)", json: ["title": "better", "tags": ["x"]], headers: author.bearer)
            #expect(edited.json?["title"] as? String == "better")
            #expect(try await client.request("DELETE", "/api/insights/\(id)", headers: admin.bearer).status == 204)
            #expect(try await client.get("/api/insights/\(id)", headers: author.bearer).status == 404)
        }
    }
}
