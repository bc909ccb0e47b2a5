import Foundation
import Testing

@Suite("Messages over HTTP")
struct MessageTests {
    @Test func chatWithMentionsThreadsAndComments() async throws {
        try await withApp { client in
            let room = try await client.makeRoom()
            let posted = try await client.post(
                room.messagesPath, json: ["content": "@\(room.editor.username) look at this, cc @nobody_here."], headers: room.host.bearer)
            #expect(posted.status == 201)
            let message = try #require(posted.json)
            #expect(message["mentions"] as? [String] == [room.editor.id])
            #expect(message["type"] as? String == "chat")
            let parentID = try #require(message["id"] as? String)
            let reply = try await client.post(
                room.messagesPath,
                json: [
                    "type": "comment", "content": "off by one", "file": "Sources/main.swift", "line": 42, "code_snippet": "i <= n",
                    "parent_id": parentID,
                ],
                headers: room.editor.bearer
            )
            #expect(reply.status == 201)
            let thread = try await client.collectPages("\(room.messagesPath)?parent_id=\(parentID)", limit: 10, headers: room.viewer.bearer)
            #expect(thread.items.count == 1)
            #expect(thread.items.first?["line"] as? Int == 42)
            let onFile = try await client.collectPages("\(room.messagesPath)?file=Sources/main.swift", limit: 10, headers: room.viewer.bearer)
            #expect(onFile.items.count == 1)
            let events = try #require(
                try await client.get("/api/sessions/\(room.sessionID)/events", headers: room.host.bearer).json?["items"] as? [[String: Any]])
            let types = events.compactMap { $0["type"] as? String }
            #expect(types.suffix(2) == ["chat_message", "code_comment"])
            let comment = try #require((events.last?["data"] as? [String: Any])?["comment"] as? [String: Any])
            #expect(comment["file"] as? String == "Sources/main.swift")
        }
    }

    @Test func viewersReadButCannotWriteAndNothingIsStored() async throws {
        try await withApp { client in
            let room = try await client.makeRoom()
            let outsider = try await client.registerAndLogin()
            let refused = try await client.post(room.messagesPath, json: ["content": "let me in"], headers: room.viewer.bearer)
            #expect(refused.status == 403)
            #expect(refused.json?["error_code"] as? String == "PERMISSION_DENIED")
            #expect(try await client.post(room.messagesPath, json: ["content": "hi"], headers: outsider.bearer).status == 404)
            #expect(try await client.get(room.messagesPath, headers: outsider.bearer).status == 404)
            let listed = try await client.collectPages(room.messagesPath, limit: 10, headers: room.viewer.bearer)
            #expect(listed.items.isEmpty)
            let events = try await client.get("/api/sessions/\(room.sessionID)/events?type=chat_message", headers: room.host.bearer)
            #expect((events.json?["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func invalidMessagesAre422() async throws {
        try await withApp { client in
            let room = try await client.makeRoom()
            let cases: [([String: Any], String)] = [
                ([:], "content"),
                (["content": ""], "content"),
                (["content": String(repeating: "x", count: 10_001)], "content"),
                (["content": "c", "type": "comment"], "file"),
                (["content": "c", "type": "comment", "file": "a.swift", "line": 0], "line"),
                (["content": "c", "type": "direct"], "type"),
                // Absent means chat; null is not a kind (generated clients could not type a nullable enum).
                (["content": "c", "type": NSNull()], "type"),
                (["content": "c", "parent_id": "no-such-message"], "parent_id"),
            ]
            for (body, field) in cases {
                let response = try await client.post(room.messagesPath, json: body, headers: room.host.bearer)
                #expect(response.status == 422, "\(body)")
                let errors = response.json?["errors"] as? [[String: Any]] ?? []
                #expect(errors.contains { $0["field"] as? String == field }, "\(body): \(errors)")
            }
        }
    }

    @Test func authorsEditAndDeleteHostsDeleteAny() async throws {
        try await withApp { client in
            let room = try await client.makeRoom()
            let id = try #require(
                try await client.post(room.messagesPath, json: ["content": "draft"], headers: room.editor.bearer).json?["id"] as? String)
            #expect(try await client.patch("\(room.messagesPath)/\(id)", json: ["content": "hijacked"], headers: room.host.bearer).status == 403)
            let edited = try await client.patch("\(room.messagesPath)/\(id)", json: ["content": "final"], headers: room.editor.bearer)
            #expect(edited.json?["content"] as? String == "final")
            #expect(edited.json?["edited_at"] is String)
            let other = try #require(
                try await client.post(room.messagesPath, json: ["content": "host's"], headers: room.host.bearer).json?["id"] as? String)
            #expect(try await client.request("DELETE", "\(room.messagesPath)/\(other)", headers: room.editor.bearer).status == 403)
            #expect(try await client.request("DELETE", "\(room.messagesPath)/\(id)", headers: room.host.bearer).status == 204)
            #expect(try await client.request("DELETE", "\(room.messagesPath)/\(id)", headers: room.host.bearer).status == 404)
            #expect(try await client.patch("\(room.messagesPath)/\(id)", json: ["content": "again"], headers: room.editor.bearer).status == 404)
            let listed = try await client.collectPages(room.messagesPath, limit: 10, headers: room.viewer.bearer)
            let deleted = try #require(listed.items.first { $0["id"] as? String == id })
            #expect(deleted["content"] is NSNull)
            #expect(deleted["deleted_at"] is String)
            let types = try #require(
                try await client.get("/api/sessions/\(room.sessionID)/events", headers: room.host.bearer).json?["items"] as? [[String: Any]]
            )
            .compactMap { $0["type"] as? String }
            #expect(types.contains("message_updated"))
            #expect(types.contains("message_deleted"))
        }
    }

    @Test func reactionsAreOncePerUserAndEmoji() async throws {
        try await withApp { client in
            let room = try await client.makeRoom()
            let id = try #require(
                try await client.post(room.messagesPath, json: ["content": "ship it?"], headers: room.host.bearer).json?["id"] as? String)
            let first = try await client.post("\(room.messagesPath)/\(id)/reactions", json: ["emoji": "🚀"], headers: room.editor.bearer)
            #expect(first.status == 201)
            let again = try await client.post("\(room.messagesPath)/\(id)/reactions", json: ["emoji": "🚀"], headers: room.editor.bearer)
            #expect(again.status == 200)
            _ = try await client.post("\(room.messagesPath)/\(id)/reactions", json: ["emoji": "🚀"], headers: room.host.bearer)
            let summary = try #require(
                (try await client.post("\(room.messagesPath)/\(id)/reactions", json: ["emoji": "👀"], headers: room.host.bearer).json?["reactions"]
                    as? [[String: Any]]))
            #expect(summary.first?["emoji"] as? String == "🚀")
            #expect(summary.first?["count"] as? Int == 2)
            #expect(try await client.post("\(room.messagesPath)/\(id)/reactions", json: ["emoji": "👍"], headers: room.viewer.bearer).status == 403)
            let removed = try await client.request("DELETE", "\(room.messagesPath)/\(id)/reactions/%F0%9F%9A%80", headers: room.editor.bearer)
            #expect(removed.status == 200)
            #expect(((removed.json?["reactions"] as? [[String: Any]])?.first?["count"] as? Int) == 1)
            #expect(
                try await client.request("DELETE", "\(room.messagesPath)/\(id)/reactions/%F0%9F%9A%80", headers: room.editor.bearer).status == 404)
            let stats = try #require(try await client.get("\(room.messagesPath)/stats", headers: room.viewer.bearer).json)
            #expect(stats["reactions"] as? Int == 2)
            #expect(stats["total"] as? Int == 1)
            let updates = try await client.get("/api/sessions/\(room.sessionID)/events?type=reaction_update", headers: room.host.bearer)
            #expect((updates.json?["items"] as? [Any])?.count == 4)
        }
    }

    @Test func pagesForwardAndBackwardAroundAMessage() async throws {
        try await withApp { client in
            let room = try await client.makeRoom()
            var ids: [String] = []
            for index in 0..<9 {
                ids.append(
                    try #require(
                        try await client.post(room.messagesPath, json: ["content": "m\(index)"], headers: room.host.bearer).json?["id"] as? String)
                )
            }
            let all = try await client.collectPages(room.messagesPath, limit: 4, headers: room.viewer.bearer)
            #expect(all.pages == 3)
            #expect(all.items.compactMap { $0["id"] as? String } == ids)
            let after = try await client.collectPages("\(room.messagesPath)?after=\(ids[5])", limit: 2, headers: room.viewer.bearer)
            #expect(after.items.compactMap { $0["id"] as? String } == Array(ids[6...]))
            let before = try await client.get("\(room.messagesPath)?before=\(ids[5])&limit=3", headers: room.viewer.bearer)
            #expect((before.json?["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(ids[2..<5]))
            let older = try await client.get(
                "\(room.messagesPath)?limit=3&cursor=\(try #require(before.json?["next_cursor"] as? String))", headers: room.viewer.bearer)
            #expect((older.json?["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(ids[0..<2]))
            #expect(older.json?["next_cursor"] is NSNull)
            #expect(try await client.get("\(room.messagesPath)?before=\(ids[1])&after=\(ids[0])", headers: room.viewer.bearer).status == 422)
        }
    }
}
