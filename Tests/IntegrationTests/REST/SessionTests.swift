import Foundation
import Testing

@Suite("Sessions over HTTP")
struct SessionTests {
    @Test func createsWithDefaultsAndTheCallerAsHost() async throws {
        try await withApp { client in
            let owner = try await client.registerAndLogin()
            let response = try await client.post(
                "/api/sessions",
                json: ["type": "cursor", "tags": ["api", "swift"], "project_name": "hub", "token_limit": 200000, "id": "mine"],
                headers: owner.bearer
            )
            #expect(response.status == 201)
            let session = try #require(response.json)
            #expect(session["id"] as? String != "mine", "ids cannot be assigned")
            #expect(session["owner_id"] as? String == owner.id)
            #expect(session["role"] as? String == "host")
            #expect(session["status"] as? String == "active")
            #expect(session["visibility"] as? String == "private")
            #expect(session["token_count"] as? Int == 0)
            #expect(session["tags"] as? [String] == ["api", "swift"])
            let participants = try await client.get("/api/sessions/\(try #require(session["id"] as? String))/participants", headers: owner.bearer)
            let items = try #require(participants.json?["items"] as? [[String: Any]])
            #expect(items.map { $0["role"] as? String } == ["host"])
        }
    }

    @Test func invalidSessionsAre422AndNothingIsStored() async throws {
        try await withApp { client in
            let owner = try await client.registerAndLogin()
            let cases: [([String: Any], String)] = [
                ([:], "type"),
                (["type": "Claude Code"], "type"),
                (["type": "x", "health_score": 101], "health_score"),
                (["type": "x", "token_count": -1], "token_count"),
                (["type": "x", "tags": Array(repeating: "t", count: 21)], "tags"),
                (["type": "x", "tags": [""]], "tags.0"),
                (["type": "x", "status": "sleeping"], "status"),
                (["type": "x", "visibility": "secret"], "visibility"),
                (["type": "x", "start_time": "yesterday"], "start_time"),
                (["type": "x", "description": String(repeating: "d", count: 2001)], "description"),
            ]
            for (body, field) in cases {
                let response = try await client.post("/api/sessions", json: body, headers: owner.bearer)
                #expect(response.status == 422, "\(body)")
                let errors = response.json?["errors"] as? [[String: Any]] ?? []
                #expect(errors.contains { $0["field"] as? String == field }, "\(body): \(errors)")
            }
            let listed = try await client.get("/api/sessions", headers: owner.bearer)
            #expect((listed.json?["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.post("/api/sessions", json: ["type": "x"]).status == 401)
        }
    }

    /// JSON can carry NUL only escaped; PostgreSQL refuses it in text, so both stores refuse it before writing (it
    /// was a 500 on PostgreSQL). An escaped backslash followed by "u0000" is ordinary text.
    @Test func textWithTheNULCharacterIsRefusedAndNothingIsStored() async throws {
        try await withApp { client in
            let owner = try await client.registerAndLogin()
            let refused = try await client.post("/api/sessions", json: ["type": "cursor", "project_name": "a\u{0}b"], headers: owner.bearer)
            #expect(refused.status == 422, "\(refused.status) \(refused.text)")
            #expect((refused.json?["errors"] as? [[String: Any]])?.first?["field"] as? String == "project_name")
            #expect((try await client.get("/api/sessions", headers: owner.bearer).json?["items"] as? [Any])?.isEmpty == true)

            let sessionID = try await client.createSession(as: owner)
            let messages = "/api/sessions/\(sessionID)/messages"
            #expect(try await client.post(messages, json: ["content": "before \u{0} after"], headers: owner.bearer).status == 422)
            let plain = try await client.post(messages, json: ["content": #"a \u0000 is six characters"#], headers: owner.bearer)
            #expect(plain.status == 201, "\(plain.status) \(plain.text)")
            #expect(plain.json?["content"] as? String == #"a \u0000 is six characters"#)
        }
    }

    @Test func quotaOfSessionsPerUserIsAConflict() async throws {
        try await withApp(environment: ["MAX_SESSIONS_PER_USER": "2"]) { client in
            let owner = try await client.registerAndLogin()
            _ = try await client.createSession(as: owner)
            _ = try await client.createSession(as: owner)
            let third = try await client.post("/api/sessions", json: ["type": "x"], headers: owner.bearer)
            #expect(third.status == 409)
            #expect(third.json?["error_code"] as? String == "CONFLICT")
            let other = try await client.registerAndLogin()
            _ = try await client.createSession(as: other)
        }
    }

    @Test func metricUpdatesAppendHistoryAndLogAnEvent() async throws {
        try await withApp { client in
            let owner = try await client.registerAndLogin()
            let id = try await client.createSession(as: owner)
            let patched = try await client.patch("/api/sessions/\(id)", json: ["token_count": 1500, "health_score": 87.5], headers: owner.bearer)
            #expect(patched.status == 200)
            #expect(patched.json?["token_count"] as? Int == 1500)
            let described = try await client.patch("/api/sessions/\(id)", json: ["description": "refactor", "owner_id": "x"], headers: owner.bearer)
            #expect(described.json?["owner_id"] as? String == owner.id)
            let cleared = try await client.patch("/api/sessions/\(id)", json: ["description": NSNull()], headers: owner.bearer)
            #expect(cleared.json?["description"] is NSNull)

            let history = try #require(try await client.get("/api/sessions/\(id)/history", headers: owner.bearer).json?["items"] as? [[String: Any]])
            #expect(history.map { $0["token_count"] as? Int } == [0, 1500], "only metric changes add snapshots")
            let events = try #require(try await client.get("/api/sessions/\(id)/events?type=session_update", headers: owner.bearer).json)
            let items = try #require(events["items"] as? [[String: Any]])
            #expect(items.count == 3)
            let first = try #require(items.first?["data"] as? [String: Any])
            #expect(first["type"] as? String == "session_update")
            #expect(first["updated_by"] as? String == owner.id)
            #expect((first["changes"] as? [String: Any])?["token_count"] as? Int == 1500)
            #expect(first["id"] as? Int == items.first?["id"] as? Int)
            let none = try await client.get("/api/sessions/\(id)/events?type=chat_message", headers: owner.bearer)
            #expect((none.json?["items"] as? [Any])?.isEmpty == true)
            // A type the protocol does not have is a mistake worth saying, not an empty page.
            let unknown = try await client.get("/api/sessions/\(id)/events?type=chat_mesage", headers: owner.bearer)
            #expect(unknown.status == 422)
            #expect((unknown.json?["errors"] as? [[String: Any]])?.first?["field"] as? String == "type")
        }
    }

    @Test func listsFilterSortAndPageWithoutGapsOrRepeats() async throws {
        try await withApp { client in
            let owner = try await client.registerAndLogin()
            var ids: [String] = []
            for index in 0..<7 {
                ids.append(
                    try await client.createSession(
                        as: owner,
                        ["token_count": index * 10, "tags": index.isMultiple(of: 2) ? ["even"] : ["odd"], "project_name": "project \(index)"]
                    )
                )
            }
            let all = try await client.collectPages("/api/sessions?sort=token_count", limit: 3, headers: owner.bearer)
            #expect(all.pages == 3)
            #expect(all.items.compactMap { $0["id"] as? String } == ids)
            let newestFirst = try await client.collectPages("/api/sessions", limit: 2, headers: owner.bearer)
            #expect(Set(newestFirst.items.compactMap { $0["id"] as? String }) == Set(ids))
            #expect(newestFirst.items.count == 7)
            let even = try await client.collectPages("/api/sessions?tag=even", limit: 50, headers: owner.bearer)
            #expect(even.items.count == 4)
            let text = try await client.collectPages("/api/sessions?q=project%203", limit: 50, headers: owner.bearer)
            #expect(text.items.compactMap { $0["id"] as? String } == [ids[3]])
            _ = try await client.patch("/api/sessions/\(ids[1])", json: ["status": "completed"], headers: owner.bearer)
            let completed = try await client.collectPages("/api/sessions?status=completed&owner=me", limit: 50, headers: owner.bearer)
            #expect(completed.items.compactMap { $0["id"] as? String } == [ids[1]])
            for bad in ["limit=0", "limit=201", "cursor=garbage", "sort=color", "status=asleep", "owner=you"] {
                #expect(try await client.get("/api/sessions?\(bad)", headers: owner.bearer).status == 422, "\(bad)")
            }
        }
    }

    /// Each way of seeing a session is its own branch of the listing query; pages must merge them in order, once each.
    @Test func listingsMergeEveryWayOfSeeingASessionWithoutRepeats() async throws {
        try await withApp { client in
            let reader = try await client.registerAndLogin(prefix: "reader")
            let other = try await client.registerAndLogin(prefix: "other")
            let teamID = try #require(try await client.post("/api/teams", json: ["name": "Readers"], headers: other.bearer).json?["id"] as? String)
            _ = try await client.post("/api/teams/\(teamID)/members", json: ["user_id": reader.id, "role": "member"], headers: other.bearer)
            // token_count orders them: owned (one of them also public), invited, public, team, and hidden ones between.
            let visible = [
                try await client.createSession(as: reader, ["token_count": 1]),
                try await client.createSession(as: reader, ["token_count": 3, "visibility": "public"]),
                try await client.createSession(as: other, ["token_count": 5]),
                try await client.createSession(as: other, ["token_count": 7, "visibility": "public"]),
                try await client.createSession(as: other, ["token_count": 9, "visibility": "team", "team_id": teamID]),
                try await client.createSession(as: other, ["token_count": 11, "visibility": "public"]),
            ]
            try await client.invite(reader, as: "viewer", to: visible[2], by: other)
            for tokens in [2, 4, 6, 8, 10] { _ = try await client.createSession(as: other, ["token_count": tokens]) }

            for limit in [1, 2, 4, 50] {
                let ascending = try await client.collectPages("/api/sessions?sort=token_count", limit: limit, headers: reader.bearer)
                #expect(ascending.items.compactMap { $0["id"] as? String } == visible, "limit \(limit)")
                let descending = try await client.collectPages("/api/sessions?sort=-token_count", limit: limit, headers: reader.bearer)
                #expect(descending.items.compactMap { $0["id"] as? String } == visible.reversed(), "limit \(limit)")
            }
            let publicOnes = try await client.collectPages("/api/sessions?visibility=public&sort=token_count", limit: 1, headers: reader.bearer)
            #expect(publicOnes.items.compactMap { $0["id"] as? String } == [visible[1], visible[3], visible[5]])
        }
    }

    @Test func ownersDeleteOthersCannot() async throws {
        try await withApp { client in
            let owner = try await client.registerAndLogin()
            let editor = try await client.registerAndLogin()
            let outsider = try await client.registerAndLogin()
            let id = try await client.createSession(as: owner)
            try await client.invite(editor, as: "editor", to: id, by: owner)
            #expect(try await client.request("DELETE", "/api/sessions/\(id)", headers: outsider.bearer).status == 404)
            #expect(try await client.request("DELETE", "/api/sessions/\(id)", headers: editor.bearer).status == 403)
            #expect(try await client.request("DELETE", "/api/sessions/\(id)", headers: owner.bearer).status == 204)
            #expect(try await client.get("/api/sessions/\(id)", headers: owner.bearer).status == 404)
            #expect(try await client.get("/api/sessions/\(id)/events", headers: owner.bearer).status == 404)
        }
    }

    @Test func publicSessionsAreVisibleToEveryoneAsViewers() async throws {
        try await withApp { client in
            let owner = try await client.registerAndLogin()
            let reader = try await client.registerAndLogin()
            let id = try await client.createSession(as: owner)
            #expect(try await client.get("/api/sessions/\(id)", headers: reader.bearer).status == 404)
            let shared = try await client.patch("/api/sessions/\(id)", json: ["visibility": "public"], headers: owner.bearer)
            #expect(shared.json?["shared_at"] is String)
            let seen = try await client.get("/api/sessions/\(id)", headers: reader.bearer)
            #expect(seen.json?["role"] as? String == "viewer")
            #expect(try await client.patch("/api/sessions/\(id)", json: ["description": "mine now"], headers: reader.bearer).status == 403)
            let listed = try await client.collectPages("/api/sessions", limit: 50, headers: reader.bearer)
            #expect(listed.items.compactMap { $0["id"] as? String } == [id])
        }
    }
}
