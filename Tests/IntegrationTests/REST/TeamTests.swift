import Foundation
import Testing

@Suite("Teams over HTTP")
struct TeamTests {
    @Test func creatorIsAdminAndNamesAreUnique() async throws {
        try await withApp { client in
            let admin = try await client.registerAndLogin()
            let created = try await client.post("/api/teams", json: ["name": "Platform", "description": "infra"], headers: admin.bearer)
            #expect(created.status == 201)
            #expect(created.json?["role"] as? String == "admin")
            #expect(created.json?["member_count"] as? Int == 1)
            let duplicate = try await client.post("/api/teams", json: ["name": "platform"], headers: try await client.registerAndLogin().bearer)
            #expect(duplicate.status == 409)
            #expect(try await client.post("/api/teams", json: ["name": ""], headers: admin.bearer).status == 422)
            #expect(try await client.post("/api/teams", json: ["description": "no name"], headers: admin.bearer).status == 422)
            let mine = try await client.collectPages("/api/teams", limit: 50, headers: admin.bearer)
            #expect(mine.items.count == 1)
        }
    }

    @Test func adminsManageMembersWithinTheLimit() async throws {
        try await withApp(environment: ["MAX_TEAM_SIZE": "3"]) { client in
            let admin = try await client.registerAndLogin()
            let member = try await client.registerAndLogin()
            let viewer = try await client.registerAndLogin()
            let extra = try await client.registerAndLogin()
            let teamID = try #require(try await client.post("/api/teams", json: ["name": "Core"], headers: admin.bearer).json?["id"] as? String)
            let byEmail = try await client.post(
                "/api/teams/\(teamID)/members",
                json: ["email": "\(member.username)@example.com", "role": "member"],
                headers: admin.bearer
            )
            #expect(byEmail.status == 201)
            #expect(
                try await client.post("/api/teams/\(teamID)/members", json: ["user_id": viewer.id, "role": "viewer"], headers: admin.bearer).status
                    == 201)
            let full = try await client.post(
                "/api/teams/\(teamID)/members", json: ["username": extra.username, "role": "member"], headers: admin.bearer)
            #expect(full.status == 409)
            #expect(
                try await client.post("/api/teams/\(teamID)/members", json: ["user_id": viewer.id, "role": "member"], headers: member.bearer).status
                    == 403)
            #expect(try await client.get("/api/teams/\(teamID)", headers: extra.bearer).status == 404)
            #expect(try await client.patch("/api/teams/\(teamID)", json: ["name": "Mine"], headers: member.bearer).status == 403)
            #expect(try await client.patch("/api/teams/\(teamID)", json: ["description": "the core team"], headers: admin.bearer).status == 200)
            let members = try await client.collectPages("/api/teams/\(teamID)/members", limit: 2, headers: viewer.bearer)
            #expect(members.items.count == 3)
        }
    }

    @Test func theLastAdminStays() async throws {
        try await withApp { client in
            let admin = try await client.registerAndLogin()
            let member = try await client.registerAndLogin()
            let teamID = try #require(try await client.post("/api/teams", json: ["name": "Solo"], headers: admin.bearer).json?["id"] as? String)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": member.id, "role": "member"], headers: admin.bearer)
            #expect(try await client.patch("/api/teams/\(teamID)/members/\(admin.id)", json: ["role": "member"], headers: admin.bearer).status == 409)
            #expect(try await client.request("DELETE", "/api/teams/\(teamID)/members/\(admin.id)", headers: admin.bearer).status == 409)
            #expect(try await client.patch("/api/teams/\(teamID)/members/\(member.id)", json: ["role": "admin"], headers: admin.bearer).status == 200)
            #expect(try await client.request("DELETE", "/api/teams/\(teamID)/members/\(admin.id)", headers: admin.bearer).status == 204)
            #expect(try await client.get("/api/teams/\(teamID)", headers: admin.bearer).status == 404)
            #expect(try await client.request("DELETE", "/api/teams/\(teamID)", headers: member.bearer).status == 204)
        }
    }

    @Test func teamSessionsAreSharedWithMembersAsViewers() async throws {
        try await withApp { client in
            let owner = try await client.registerAndLogin()
            let colleague = try await client.registerAndLogin()
            let outsider = try await client.registerAndLogin()
            let teamID = try #require(try await client.post("/api/teams", json: ["name": "Pairing"], headers: owner.bearer).json?["id"] as? String)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": colleague.id, "role": "member"], headers: owner.bearer)
            let id = try await client.createSession(as: owner, ["team_id": teamID, "visibility": "team"])
            let seen = try await client.get("/api/sessions/\(id)", headers: colleague.bearer)
            #expect(seen.json?["role"] as? String == "viewer")
            #expect(try await client.get("/api/sessions/\(id)", headers: outsider.bearer).status == 404)
            let listed = try await client.collectPages("/api/teams/\(teamID)/sessions", limit: 10, headers: colleague.bearer)
            #expect(listed.items.compactMap { $0["id"] as? String } == [id])
            #expect(try await client.get("/api/teams/\(teamID)/sessions", headers: outsider.bearer).status == 404)
            // Sharing into a team you are not in is refused, whether or not it exists.
            let foreign = try await client.post("/api/sessions", json: ["type": "x", "team_id": teamID], headers: outsider.bearer)
            #expect(foreign.status == 403)
            // Leaving the team ends the access.
            #expect(try await client.request("DELETE", "/api/teams/\(teamID)/members/\(colleague.id)", headers: colleague.bearer).status == 204)
            #expect(try await client.get("/api/sessions/\(id)", headers: colleague.bearer).status == 404)
        }
    }
}
