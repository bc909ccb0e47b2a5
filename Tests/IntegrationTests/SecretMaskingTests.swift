import Foundation
import Testing

/// Keys pasted into a session never reach the store or other users' screens.
@Suite("Secrets in what users write")
struct SecretMaskingTests {
    static let awsKey = "AKIAIOSFODNN7EXAMPLE"

    @Test func secretsAreMaskedBeforeTheyAreStoredOrBroadcast() async throws {
        try await withServer { server, client in
            let room = try await client.makeRoom()
            let (watcher, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken)
            let posted = try await client.post(
                room.messagesPath,
                json: ["type": "comment", "content": "creds: \(Self.awsKey)", "file": ".env", "line": 3, "code_snippet": "password=hunter2hunter2"],
                headers: room.editor.bearer
            )
            #expect(posted.status == 201)
            let comment = try #require(posted.json)
            #expect(comment["content"] as? String == "creds: AKIA****************")
            #expect(!posted.text.contains("hunter2hunter2") && !posted.text.contains(Self.awsKey))
            let masked = try #require(comment["masked_secrets"] as? [[String: Any]])
            #expect(masked.map { $0["field"] as? String } == ["content", "code_snippet"])
            #expect(masked.first?["kind"] as? String == "aws_access_key")
            #expect(masked.first?["start"] as? Int == 7 && masked.first?["length"] as? Int == 20)

            let live = try await watcher.next(type: "code_comment")
            let liveText = String(decoding: try JSONSerialization.data(withJSONObject: live), as: UTF8.self)
            #expect(!liveText.contains(Self.awsKey) && liveText.contains("masked_secrets"))
            for path in ["/api/sessions/\(room.sessionID)/events", room.messagesPath] {
                #expect(!(try await client.get(path, headers: room.host.bearer).text.contains(Self.awsKey)), "\(path)")
            }
            // Over the WebSocket too, and in an edit.
            let (editor, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
            editor.send(["type": "chat_message", "content": "token ghp_0123456789abcdefghijABCDEFGHIJ012345", "ref": 2])
            let echoed = try await editor.next(type: "chat_message")
            #expect(echoed.messageContent == "token ghp_" + String(repeating: "*", count: 36))
            let id = try #require(comment["id"] as? String)
            let edited = try await client.patch(
                "\(room.messagesPath)/\(id)", json: ["content": "new key \(Self.awsKey)"], headers: room.editor.bearer)
            #expect(edited.json?["content"] as? String == "new key AKIA****************")
            await watcher.close()
            await editor.close()
        }
    }

    @Test func theRejectPolicyRefusesTheWriteAndStoresNothing() async throws {
        try await withServer(environment: ["SECRET_POLICY": "reject"]) { _, client in
            let room = try await client.makeRoom()
            let refused = try await client.post(room.messagesPath, json: ["content": "use \(Self.awsKey)"], headers: room.editor.bearer)
            #expect(refused.status == 422)
            #expect(refused.json?["error_code"] as? String == "SECRET_DETECTED")
            #expect((refused.json?["errors"] as? [[String: Any]])?.first?["field"] as? String == "content")
            #expect(!refused.text.contains(Self.awsKey))
            #expect(try await client.collectPages(room.messagesPath, limit: 10, headers: room.host.bearer).items.isEmpty)
            let insight = try await client.post(
                "/api/insights", json: ["title": "keys", "content": "AWS key \(Self.awsKey)", "insight_type": "learning"], headers: room.host.bearer
            )
            #expect(insight.status == 422)
            #expect(try await client.post(room.messagesPath, json: ["content": "nothing secret here"], headers: room.editor.bearer).status == 201)
        }
    }
}
