import Foundation
import Testing

@Suite("Participants over HTTP")
struct ParticipantTests {
    @Test func hostInvitesChangesAndRemoves() async throws {
        try await withApp { client in
            let host = try await client.registerAndLogin()
            let guest = try await client.registerAndLogin()
            let id = try await client.createSession(as: host)
            #expect(try await client.get("/api/sessions/\(id)", headers: guest.bearer).status == 404)
            let invited = try await client.post(
                "/api/sessions/\(id)/participants", json: ["user_id": guest.id, "role": "viewer"], headers: host.bearer)
            #expect(invited.status == 201)
            #expect(invited.json?["invited_by"] as? String == host.id)
            #expect(try await client.get("/api/sessions/\(id)", headers: guest.bearer).json?["role"] as? String == "viewer")
            let again = try await client.post(
                "/api/sessions/\(id)/participants", json: ["username": guest.username, "role": "editor"], headers: host.bearer)
            #expect(again.status == 409)

            let promoted = try await client.patch("/api/sessions/\(id)/participants/\(guest.id)", json: ["role": "editor"], headers: host.bearer)
            #expect(promoted.json?["role"] as? String == "editor")
            #expect(try await client.patch("/api/sessions/\(id)", json: ["tags": ["paired"]], headers: guest.bearer).status == 200)
            #expect(try await client.request("DELETE", "/api/sessions/\(id)/participants/\(guest.id)", headers: host.bearer).status == 204)
            #expect(try await client.get("/api/sessions/\(id)", headers: guest.bearer).status == 404)

            let events = try #require(
                try await client.get("/api/sessions/\(id)/events?type=participant_updated", headers: host.bearer).json?["items"] as? [[String: Any]])
            let roles = events.map { ($0["data"] as? [String: Any])?["role"] }
            #expect(roles.count == 3)
            #expect(roles[0] as? String == "viewer")
            #expect(roles[1] as? String == "editor")
            #expect(roles[2] is NSNull)
        }
    }

    @Test func onlyHostsManageAndTheOwnerStaysHost() async throws {
        try await withApp { client in
            let host = try await client.registerAndLogin()
            let editor = try await client.registerAndLogin()
            let other = try await client.registerAndLogin()
            let outsider = try await client.registerAndLogin()
            let id = try await client.createSession(as: host)
            try await client.invite(editor, as: "editor", to: id, by: host)
            let byEditor = try await client.post(
                "/api/sessions/\(id)/participants", json: ["user_id": other.id, "role": "viewer"], headers: editor.bearer)
            #expect(byEditor.status == 403)
            #expect(byEditor.json?["error_code"] as? String == "PERMISSION_DENIED")
            let byOutsider = try await client.post(
                "/api/sessions/\(id)/participants", json: ["user_id": other.id, "role": "viewer"], headers: outsider.bearer)
            #expect(byOutsider.status == 404)
            #expect(
                try await client.patch("/api/sessions/\(id)/participants/\(host.id)", json: ["role": "viewer"], headers: host.bearer).status == 409)
            #expect(try await client.request("DELETE", "/api/sessions/\(id)/participants/\(host.id)", headers: host.bearer).status == 409)
            #expect(try await client.request("DELETE", "/api/sessions/\(id)/participants/\(host.id)", headers: editor.bearer).status == 403)
            let asHost = try await client.post("/api/sessions/\(id)/participants", json: ["user_id": other.id, "role": "host"], headers: host.bearer)
            #expect(asHost.status == 422)
            let unknown = try await client.post(
                "/api/sessions/\(id)/participants", json: ["username": "nobody_at_all", "role": "viewer"], headers: host.bearer)
            #expect(unknown.status == 422)
            let both = try await client.post("/api/sessions/\(id)/participants", json: ["role": "viewer"], headers: host.bearer)
            #expect(both.status == 422)
            // Anyone may leave.
            #expect(try await client.request("DELETE", "/api/sessions/\(id)/participants/\(editor.id)", headers: editor.bearer).status == 204)
            #expect(try await client.get("/api/sessions/\(id)", headers: editor.bearer).status == 404)
        }
    }

    @Test func participantListPages() async throws {
        try await withApp { client in
            let host = try await client.registerAndLogin()
            let id = try await client.createSession(as: host)
            for _ in 0..<4 { try await client.invite(try await client.registerAndLogin(), as: "viewer", to: id, by: host) }
            let listed = try await client.collectPages("/api/sessions/\(id)/participants", limit: 2, headers: host.bearer)
            #expect(listed.pages == 3)
            #expect(Set(listed.items.compactMap { $0["user_id"] as? String }).count == 5)
        }
    }
}
