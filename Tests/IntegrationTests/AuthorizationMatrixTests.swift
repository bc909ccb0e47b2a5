import Foundation
import Testing

/// Every session and team endpoint against every kind of caller, with the status DESIGN.md's matrix gives:
/// 404 for what the caller may not see, 403 for what they may see but not do.
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    struct Expectation {
        let method: String
        let path: String
        let body: [String: Any]?
        /// Expected status by actor name.
        let statuses: [String: Int]
    }

    @Test func sessionEndpoints() async throws {
        try await withServer { _, client in
            let host = try client.registerAndLogin(prefix: "host")
            let editor = try client.registerAndLogin(prefix: "editor")
            let viewer = try client.registerAndLogin(prefix: "viewer")
            let teammate = try client.registerAndLogin(prefix: "teammate")
            let outsider = try client.registerAndLogin(prefix: "outsider")
            let teamID = try #require(try client.post("/api/teams", json: ["name": "Matrix"], headers: host.bearer).json?["id"] as? String)
            _ = try client.post("/api/teams/\(teamID)/members", json: ["user_id": teammate.id, "role": "member"], headers: host.bearer)
            let id = try client.createSession(as: host, ["team_id": teamID, "visibility": "team"])
            try client.invite(editor, as: "editor", to: id, by: host)
            try client.invite(viewer, as: "viewer", to: id, by: host)
            let actors = ["host": host, "editor": editor, "viewer": viewer, "teammate": teammate, "outsider": outsider]

            func all(_ seen: Int, outsider: Int = 404) -> [String: Int] {
                ["host": seen, "editor": seen, "viewer": seen, "teammate": seen, "outsider": outsider]
            }
            let base = "/api/sessions/\(id)"
            let table: [Expectation] = [
                Expectation(method: "GET", path: base, body: nil, statuses: all(200)),
                Expectation(method: "GET", path: "\(base)/history", body: nil, statuses: all(200)),
                Expectation(method: "GET", path: "\(base)/events", body: nil, statuses: all(200)),
                Expectation(method: "GET", path: "\(base)/participants", body: nil, statuses: all(200)),
                Expectation(method: "GET", path: "\(base)/messages", body: nil, statuses: all(200)),
                Expectation(method: "GET", path: "\(base)/messages/stats", body: nil, statuses: all(200)),
                Expectation(method: "GET", path: "/api/analytics/sessions/\(id)", body: nil, statuses: all(200)),
                Expectation(
                    method: "POST", path: "\(base)/messages", body: ["content": "hello"],
                    statuses: ["host": 201, "editor": 201, "viewer": 403, "teammate": 403, "outsider": 404]
                ),
                Expectation(
                    method: "PATCH", path: base, body: ["description": "changed"],
                    statuses: ["host": 200, "editor": 200, "viewer": 403, "teammate": 403, "outsider": 404]
                ),
                Expectation(
                    method: "PATCH", path: base, body: ["visibility": "team"],
                    statuses: ["host": 200, "editor": 403, "viewer": 403, "teammate": 403, "outsider": 404]
                ),
                Expectation(
                    method: "PATCH", path: "\(base)/participants/\(viewer.id)", body: ["role": "viewer"],
                    statuses: ["host": 200, "editor": 403, "viewer": 403, "teammate": 403, "outsider": 404]
                ),
                Expectation(
                    method: "DELETE", path: "\(base)/participants/\(editor.id)", body: nil,
                    statuses: ["viewer": 403, "teammate": 403, "outsider": 404]
                ),
                Expectation(
                    method: "DELETE", path: base, body: nil,
                    statuses: ["editor": 403, "viewer": 403, "teammate": 403, "outsider": 404]
                ),
            ]
            for expectation in table {
                for (name, expected) in expectation.statuses.sorted(by: { $0.key < $1.key }) {
                    let actor = try #require(actors[name])
                    let body = expectation.body.map(CurlClient.encode)
                    let response = try client.request(
                        expectation.method, expectation.path,
                        headers: actor.bearer.merging(["Content-Type": "application/json"]) { $1 }, body: body
                    )
                    #expect(response.status == expected, "\(name) \(expectation.method) \(expectation.path): \(response.text)")
                }
            }
            // Inviting, with a fresh invitee each time so only the caller's role decides.
            for (name, expected) in [("host", 201), ("editor", 403), ("viewer", 403), ("teammate", 403), ("outsider", 404)] {
                let invitee = try client.registerAndLogin(prefix: "invitee")
                let actor = try #require(actors[name])
                let response = try client.post("\(base)/participants", json: ["user_id": invitee.id, "role": "viewer"], headers: actor.bearer)
                #expect(response.status == expected, "\(name) invites")
            }
            #expect(try client.request("DELETE", base, headers: host.bearer).status == 204)
        }
    }

    @Test func teamEndpoints() async throws {
        try await withServer { _, client in
            let admin = try client.registerAndLogin(prefix: "admin")
            let member = try client.registerAndLogin(prefix: "member")
            let outsider = try client.registerAndLogin(prefix: "outsider")
            let teamID = try #require(try client.post("/api/teams", json: ["name": "Matrix"], headers: admin.bearer).json?["id"] as? String)
            _ = try client.post("/api/teams/\(teamID)/members", json: ["user_id": member.id, "role": "member"], headers: admin.bearer)
            let actors = ["admin": admin, "member": member, "outsider": outsider]
            let base = "/api/teams/\(teamID)"
            let table: [Expectation] = [
                Expectation(method: "GET", path: base, body: nil, statuses: ["admin": 200, "member": 200, "outsider": 404]),
                Expectation(method: "GET", path: "\(base)/members", body: nil, statuses: ["admin": 200, "member": 200, "outsider": 404]),
                Expectation(method: "GET", path: "\(base)/sessions", body: nil, statuses: ["admin": 200, "member": 200, "outsider": 404]),
                Expectation(
                    method: "GET", path: "/api/analytics/team?team_id=\(teamID)", body: nil,
                    statuses: ["admin": 200, "member": 200, "outsider": 404]
                ),
                Expectation(method: "PATCH", path: base, body: ["description": "d"], statuses: ["admin": 200, "member": 403, "outsider": 404]),
                Expectation(
                    method: "PATCH", path: "\(base)/members/\(member.id)", body: ["role": "member"],
                    statuses: ["admin": 200, "member": 403, "outsider": 404]
                ),
                Expectation(method: "DELETE", path: "\(base)/members/\(admin.id)", body: nil, statuses: ["member": 403, "outsider": 404]),
                Expectation(method: "DELETE", path: base, body: nil, statuses: ["member": 403, "outsider": 404, "admin": 204]),
            ]
            for expectation in table {
                for name in ["outsider", "member", "admin"] {
                    guard let expected = expectation.statuses[name] else { continue }
                    let actor = try #require(actors[name])
                    let response = try client.request(
                        expectation.method, expectation.path,
                        headers: actor.bearer.merging(["Content-Type": "application/json"]) { $1 },
                        body: expectation.body.map(CurlClient.encode)
                    )
                    #expect(response.status == expected, "\(name) \(expectation.method) \(expectation.path): \(response.text)")
                }
            }
        }
    }
}
