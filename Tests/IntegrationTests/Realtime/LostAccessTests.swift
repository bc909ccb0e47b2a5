import Foundation
import Testing

extension RealtimeIntegration {
    /// A team member watching a team's session, live on both transports, loses access each way it can be lost.
    @Suite("Losing access while connected")
    struct LostAccessTests {
        enum Loss: String, CaseIterable {
            case madePrivate, removedFromTeam, teamDeleted
        }

        @Test(arguments: Loss.allCases)
        func bothTransportsEndWhenAccessIsLost(_ loss: Loss) async throws {
            try await withServer { server, client in
                let lead = try await client.registerAndLogin(prefix: "lead")
                let member = try await client.registerAndLogin(prefix: "member")
                let teamID = try #require(
                    try await client.post("/api/teams", json: ["name": "Watchers \(loss)"], headers: lead.bearer).json?["id"] as? String)
                let added = try await client.post(
                    "/api/teams/\(teamID)/members", json: ["user_id": member.id, "role": "member"], headers: lead.bearer)
                #expect(added.status == 201)
                let sessionID = try await client.createSession(as: lead, ["team_id": teamID, "visibility": "team"])
                let (socket, _) = try await TestSocket.join(port: server.port, sessionID: sessionID, token: member.accessToken)
                let stream = client.stream(sessionID, as: member)
                _ = try await stream.next(event: "connected")

                let change: HTTPResult
                switch loss {
                case .madePrivate:
                    change = try await client.patch("/api/sessions/\(sessionID)", json: ["visibility": "private"], headers: lead.bearer)
                case .removedFromTeam:
                    change = try await client.request("DELETE", "/api/teams/\(teamID)/members/\(member.id)", headers: lead.bearer)
                case .teamDeleted:
                    change = try await client.request("DELETE", "/api/teams/\(teamID)", headers: lead.bearer)
                }
                #expect([200, 204].contains(change.status), "\(change.status) \(change.text)")

                #expect(try await socket.next(type: "error")["error_code"] as? String == "ACCESS_REVOKED")
                #expect(try await socket.closeCode() == 4403)
                _ = try await stream.next(event: "error") { $0.json["error_code"] as? String == "ACCESS_REVOKED" }
                _ = try await eventually { stream.isFinished ? true : nil }
                // And the door stays shut: the stream cannot be opened again.
                #expect(try await client.get("/api/sessions/\(sessionID)/stream", headers: member.bearer).status == 404)
            }
        }
    }
}
