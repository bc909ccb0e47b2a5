import Foundation
import Testing

/// Every session, team and insight endpoint against every kind of caller, with the status DESIGN.md's matrix gives:
/// 404 for what the caller may not see, 403 for what they may see but not do. A status is not the whole answer: each
/// write carries a marker naming its caller, and no refused caller's marker may be stored, logged or broadcast.
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    struct Expectation {
        let method: String
        let path: String
        let body: [String: Any]?
        /// Expected status by actor name.
        let statuses: [String: Int]
        /// What an allowed read must contain (it answers about this session, not just 200).
        var reveals: String? = nil

        /// The body with `$actor` in its strings replaced by a marker of this row and caller.
        func body(for marker: String) -> [String: Any]? {
            self.body?.mapValues { value in (value as? String).map { $0.replacingOccurrences(of: "$actor", with: marker) } ?? value }
        }
    }

    @Test func sessionEndpoints() async throws {
        try await withServer { _, client in
            let host = try await client.registerAndLogin(prefix: "host")
            let editor = try await client.registerAndLogin(prefix: "editor")
            let viewer = try await client.registerAndLogin(prefix: "viewer")
            let teammate = try await client.registerAndLogin(prefix: "teammate")
            let teamAdmin = try await client.registerAndLogin(prefix: "teamadmin")
            let outsider = try await client.registerAndLogin(prefix: "outsider")
            let teamID = try #require(try await client.post("/api/teams", json: ["name": "Matrix"], headers: host.bearer).json?["id"] as? String)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": teammate.id, "role": "member"], headers: host.bearer)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": teamAdmin.id, "role": "admin"], headers: host.bearer)
            let id = try await client.createSession(as: host, ["team_id": teamID, "visibility": "team"])
            try await client.invite(editor, as: "editor", to: id, by: host)
            try await client.invite(viewer, as: "viewer", to: id, by: host)
            // A team admin has no say over a team's session: like any member, they see it as a viewer.
            let actors = ["host": host, "editor": editor, "viewer": viewer, "teammate": teammate, "teamAdmin": teamAdmin, "outsider": outsider]

            func all(_ seen: Int, outsider: Int = 404) -> [String: Int] {
                ["host": seen, "editor": seen, "viewer": seen, "teammate": seen, "teamAdmin": seen, "outsider": outsider]
            }
            func writers(_ allowed: Int) -> [String: Int] {
                ["host": allowed, "editor": allowed, "viewer": 403, "teammate": 403, "teamAdmin": 403, "outsider": 404]
            }
            func hostOnly(_ allowed: Int) -> [String: Int] {
                ["host": allowed, "editor": 403, "viewer": 403, "teammate": 403, "teamAdmin": 403, "outsider": 404]
            }
            let base = "/api/sessions/\(id)"
            let hostMessage = try #require(
                try await client.post("\(base)/messages", json: ["content": "by the host"], headers: host.bearer).json?["id"] as? String)
            let table: [Expectation] = [
                Expectation(method: "GET", path: base, body: nil, statuses: all(200), reveals: id),
                Expectation(method: "GET", path: "\(base)/history", body: nil, statuses: all(200)),
                Expectation(method: "GET", path: "\(base)/events", body: nil, statuses: all(200), reveals: hostMessage),
                Expectation(method: "GET", path: "\(base)/participants", body: nil, statuses: all(200), reveals: editor.id),
                Expectation(method: "GET", path: "\(base)/messages", body: nil, statuses: all(200), reveals: hostMessage),
                Expectation(method: "GET", path: "\(base)/messages/stats", body: nil, statuses: all(200)),
                Expectation(method: "GET", path: "/api/analytics/sessions/\(id)", body: nil, statuses: all(200)),
                Expectation(method: "GET", path: "\(base)/presence", body: nil, statuses: all(200)),
                // HEAD: the stream's answer without opening it.
                Expectation(method: "HEAD", path: "\(base)/stream", body: nil, statuses: all(200)),
                Expectation(method: "POST", path: "\(base)/messages", body: ["content": "hello $actor"], statuses: writers(201)),
                Expectation(
                    method: "POST", path: "\(base)/messages",
                    body: ["type": "comment", "content": "off by one $actor", "file": "a.swift", "line": 3], statuses: writers(201)
                ),
                // Only the author edits; the host's role does not extend to other people's words.
                Expectation(
                    method: "PATCH", path: "\(base)/messages/\(hostMessage)", body: ["content": "edited $actor"], statuses: hostOnly(200)),
                Expectation(method: "POST", path: "\(base)/messages/\(hostMessage)/reactions", body: ["emoji": "👍"], statuses: writers(201)),
                Expectation(method: "DELETE", path: "\(base)/messages/\(hostMessage)/reactions/%F0%9F%91%8D", body: nil, statuses: writers(200)),
                Expectation(
                    method: "POST", path: "\(base)/actions", body: ["type": "chat_message", "content": "hi $actor"], statuses: writers(202)),
                Expectation(
                    method: "POST", path: "\(base)/actions",
                    body: ["type": "cursor_update", "data": ["file": "a.swift", "line": 1, "column": 0]], statuses: all(202)
                ),
                Expectation(method: "PATCH", path: base, body: ["description": "changed $actor"], statuses: writers(200)),
                Expectation(method: "PATCH", path: base, body: ["visibility": "team"], statuses: hostOnly(200)),
                Expectation(method: "PATCH", path: "\(base)/participants/\(viewer.id)", body: ["role": "viewer"], statuses: hostOnly(200)),
                Expectation(
                    method: "DELETE", path: "\(base)/participants/\(editor.id)", body: nil,
                    statuses: ["viewer": 403, "teammate": 403, "teamAdmin": 403, "outsider": 404]
                ),
                Expectation(
                    method: "DELETE", path: base, body: nil,
                    statuses: ["editor": 403, "viewer": 403, "teammate": 403, "teamAdmin": 403, "outsider": 404]
                ),
            ]
            // The host watches live: whatever is broadcast reaches this stream.
            let watcher = client.stream(id, as: host)
            _ = try await watcher.next(event: "connected")
            var refusedMarkers: [String] = []
            var storedMarkers: [String] = []
            for (row, expectation) in table.enumerated() {
                for (name, expected) in expectation.statuses.sorted(by: { $0.key < $1.key }) {
                    let actor = try #require(actors[name])
                    let marker = "mark\(row)x\(name)"
                    let response = try await client.request(
                        expectation.method, expectation.path,
                        headers: actor.bearer.merging(["Content-Type": "application/json"]) { $1 },
                        body: expectation.body(for: marker).map(JSONText.encode)
                    )
                    #expect(response.status == expected, "\(name) \(expectation.method) \(expectation.path): \(response.text)")
                    guard expectation.body?.values.contains(where: { ($0 as? String)?.contains("$actor") == true }) == true else {
                        if expected == 200, let reveals = expectation.reveals, expectation.method == "GET" {
                            #expect(response.text.contains(reveals), "\(name) GET \(expectation.path) answered about something else")
                        }
                        continue
                    }
                    if expected >= 400 {
                        refusedMarkers.append(marker)
                    } else if expectation.method == "POST" {
                        storedMarkers.append(marker)
                    }
                }
            }
            // Everything allowed is there (so the searches below can see a marker), and nothing refused is anywhere.
            try await client.chat("the end", in: id, as: host)
            _ = try await watcher.next(event: "chat_message") { $0.json.messageContent == "the end" }
            watcher.close()
            let stored = try await client.collectPages("\(base)/messages", limit: 200, headers: host.bearer).items
            let logged = try await client.collectPages("\(base)/events", limit: 200, headers: host.bearer).items
            let everything = [
                watcher.text, String(decoding: JSONText.encode(stored), as: UTF8.self), String(decoding: JSONText.encode(logged), as: UTF8.self),
                try await client.get(base, headers: host.bearer).text,
            ].joined()
            for marker in storedMarkers { #expect(everything.contains(marker), "\(marker) was allowed but is not stored") }
            for marker in refusedMarkers { #expect(!everything.contains(marker), "\(marker) was refused but left a trace") }
            #expect(refusedMarkers.count > 20 && storedMarkers.count >= 6)
            // Inviting, with a fresh invitee each time so only the caller's role decides.
            for (name, expected) in hostOnly(201) {
                let invitee = try await client.registerAndLogin(prefix: "invitee")
                let actor = try #require(actors[name])
                let response = try await client.post("\(base)/participants", json: ["user_id": invitee.id, "role": "viewer"], headers: actor.bearer)
                #expect(response.status == expected, "\(name) invites")
            }
            // Deleting a message of the editor's, a fresh one each time: its author and the host may.
            for (name, expected) in hostOnly(204).merging(["editor": 204], uniquingKeysWith: { $1 }) {
                let message = try #require(
                    try await client.post("\(base)/messages", json: ["content": "mine"], headers: editor.bearer).json?["id"] as? String)
                let actor = try #require(actors[name])
                #expect(
                    try await client.request("DELETE", "\(base)/messages/\(message)", headers: actor.bearer).status == expected, "\(name) deletes")
            }
            // The listing shows the session to everyone who may see it, and hides it from the rest.
            for (name, actor) in actors {
                let listed = try await client.collectPages("/api/sessions", limit: 200, headers: actor.bearer).items.contains {
                    $0["id"] as? String == id
                }
                #expect(listed == (name != "outsider"), "\(name) lists")
            }
            #expect(try await client.request("DELETE", base, headers: host.bearer).status == 204)
        }
    }

    @Test func teamEndpoints() async throws {
        try await withServer { _, client in
            let admin = try await client.registerAndLogin(prefix: "admin")
            let member = try await client.registerAndLogin(prefix: "member")
            let teamViewer = try await client.registerAndLogin(prefix: "teamviewer")
            let outsider = try await client.registerAndLogin(prefix: "outsider")
            let teamID = try #require(try await client.post("/api/teams", json: ["name": "Matrix"], headers: admin.bearer).json?["id"] as? String)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": member.id, "role": "member"], headers: admin.bearer)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": teamViewer.id, "role": "viewer"], headers: admin.bearer)
            let actors = ["admin": admin, "member": member, "teamViewer": teamViewer, "outsider": outsider]
            func members(_ seen: Int) -> [String: Int] { ["admin": seen, "member": seen, "teamViewer": seen, "outsider": 404] }
            func adminOnly(_ allowed: Int) -> [String: Int] { ["admin": allowed, "member": 403, "teamViewer": 403, "outsider": 404] }
            let base = "/api/teams/\(teamID)"
            // An insight the member shares with the team: its author edits it, the author or a team admin deletes it.
            let insight = try #require(
                try await client.post(
                    "/api/insights", json: ["title": "Flaky test", "content": "Retry once", "insight_type": "learning", "team_id": teamID],
                    headers: member.bearer
                ).json?["id"] as? String
            )
            let table: [Expectation] = [
                Expectation(method: "GET", path: base, body: nil, statuses: members(200)),
                Expectation(method: "GET", path: "\(base)/members", body: nil, statuses: members(200)),
                Expectation(method: "GET", path: "\(base)/sessions", body: nil, statuses: members(200)),
                Expectation(method: "GET", path: "/api/analytics/team?team_id=\(teamID)", body: nil, statuses: members(200)),
                Expectation(method: "GET", path: "/api/insights/\(insight)", body: nil, statuses: members(200)),
                Expectation(method: "POST", path: "/api/insights/\(insight)/upvote", body: [:], statuses: members(200)),
                Expectation(method: "DELETE", path: "/api/insights/\(insight)/upvote", body: nil, statuses: members(200)),
                Expectation(
                    method: "PATCH", path: "/api/insights/\(insight)", body: ["title": "Flaky test, again"],
                    statuses: ["admin": 403, "member": 200, "teamViewer": 403, "outsider": 404]
                ),
                Expectation(method: "PATCH", path: base, body: ["description": "d"], statuses: adminOnly(200)),
                Expectation(method: "PATCH", path: "\(base)/members/\(member.id)", body: ["role": "member"], statuses: adminOnly(200)),
                Expectation(
                    method: "DELETE", path: "\(base)/members/\(admin.id)", body: nil, statuses: ["member": 403, "teamViewer": 403, "outsider": 404]
                ),
                Expectation(
                    method: "DELETE", path: "/api/insights/\(insight)", body: nil, statuses: ["teamViewer": 403, "outsider": 404, "admin": 204]),
                Expectation(method: "DELETE", path: base, body: nil, statuses: adminOnly(204)),
            ]
            // Adding a member, a fresh one each time so only the caller's role decides (before the team is deleted).
            for (name, expected) in adminOnly(201) {
                let newcomer = try await client.registerAndLogin(prefix: "newcomer")
                let actor = try #require(actors[name])
                let response = try await client.post("\(base)/members", json: ["user_id": newcomer.id, "role": "member"], headers: actor.bearer)
                #expect(response.status == expected, "\(name) adds a member")
            }
            for expectation in table {
                for name in ["outsider", "teamViewer", "member", "admin"] {
                    guard let expected = expectation.statuses[name] else { continue }
                    let actor = try #require(actors[name])
                    let response = try await client.request(
                        expectation.method, expectation.path,
                        headers: actor.bearer.merging(["Content-Type": "application/json"]) { $1 },
                        body: expectation.body.map(JSONText.encode)
                    )
                    #expect(response.status == expected, "\(name) \(expectation.method) \(expectation.path): \(response.text)")
                }
            }
        }
    }
}
