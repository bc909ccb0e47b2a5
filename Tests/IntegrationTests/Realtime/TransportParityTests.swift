import Foundation
import Testing

extension RealtimeIntegration {
    @Suite("WebSocket and SSE: one hub, the same events, the same ids")
    struct TransportParityTests {
        @Test func webSocketAndSSESubscribersReceiveTheSameEvents() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let stream = client.stream(room.sessionID, as: room.editor)
                let connected = try await stream.next(event: "connected")
                #expect(connected.id == nil)
                #expect(stream.text.hasPrefix("retry: "))

                // Written three ways: REST, WebSocket, and the SSE client's actions endpoint.
                try await client.chat("over REST", in: room.sessionID, as: room.host)
                socket.send(["type": "chat_message", "content": "over the socket"])
                let action = try await client.post(
                    "/api/sessions/\(room.sessionID)/actions",
                    json: ["type": "code_comment", "ref": "a1", "data": ["file": "main.py", "line": 3, "content": "over actions"]],
                    headers: room.editor.bearer
                )
                #expect(action.status == 202, "\(action.text)")
                #expect(action.json?["type"] as? String == "ack")
                #expect(action.json?["ref"] as? String == "a1")
                let actionEventID = try #require((action.json?["id"] as? NSNumber)?.int64Value)

                let written: Set<String> = ["chat_message", "code_comment"]
                var socketIDs: [Int64] = []
                var streamIDs: [Int64] = []
                for _ in 0..<3 {
                    let frame = try await socket.next { written.contains($0["type"] as? String ?? "") }
                    socketIDs.append(try #require(frame.eventID))
                    let event = try await stream.next { written.contains($0.event ?? "") }
                    #expect(event.json["type"] as? String == event.event)
                    #expect(event.json.eventID == event.id)
                    streamIDs.append(try #require(event.id))
                }
                // The same events with the same ids, in id order, on both transports.
                #expect(socketIDs == streamIDs)
                #expect(socketIDs == socketIDs.sorted())
                #expect(socketIDs.contains(actionEventID))
                stream.close()
                await socket.close()
            }
        }

        @Test func sseAnswersPlainHTTPRefusalsAndHeartbeats() async throws {
            try await withServer(environment: ["SSE_HEARTBEAT_SECONDS": "1"]) { server, client in
                let room = try await client.makeRoom()
                let outsider = try await client.registerAndLogin(prefix: "outsider")
                let noToken = try await client.get("/api/sessions/\(room.sessionID)/stream")
                #expect(noToken.status == 401)
                #expect(noToken.headers["www-authenticate"] == "Bearer")
                let hidden = try await client.get("/api/sessions/\(room.sessionID)/stream", headers: outsider.bearer)
                #expect(hidden.status == 404)
                let badSince = try await client.get("/api/sessions/\(room.sessionID)/stream?since=-3", headers: room.host.bearer)
                #expect(badSince.status == 422)
                // HEAD answers the stream's head and opens no subscription: nobody joins, nobody stays connected.
                let head = try await client.request("HEAD", "/api/sessions/\(room.sessionID)/stream", headers: room.host.bearer)
                #expect(head.status == 200)
                #expect(head.headers["content-type"] == "text/event-stream")
                #expect(try await client.get("/ws/stats").json?["connections"] as? [String: Int] == ["sse": 0, "total": 0, "websocket": 0])
                let joins = try await client.get("/api/sessions/\(room.sessionID)/events?type=user_joined", headers: room.host.bearer)
                #expect((joins.json?["items"] as? [Any])?.isEmpty == true)

                // EventSource cannot set headers: the token may come in the query.
                let stream = SSEStream(url: client.baseURL + "/api/sessions/\(room.sessionID)/stream?token=\(room.viewer.accessToken)")
                _ = try await stream.next(event: "connected")
                _ = try await eventually { stream.text.contains(": heartbeat\n\n") ? true : nil }
                stream.close()
            }
        }

        @Test func directMessagesReachOnlyTheirTwoUsers() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (hostSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (editorSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                let (viewerSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken)

                hostSocket.send(["type": "direct_message", "to_user_id": room.editor.id, "content": "just you"])
                let received = try await editorSocket.next(type: "direct_message")
                #expect(received.messageContent == "just you")
                _ = try await hostSocket.next(type: "direct_message")
                // A public chat after it: once the viewer has that, the direct message would have arrived before it.
                hostSocket.send(["type": "chat_message", "content": "everyone"])
                _ = try await viewerSocket.next(type: "chat_message")
                #expect(!viewerSocket.frames.contains { $0["type"] as? String == "direct_message" })
                let listed = try await client.get("/api/sessions/\(room.sessionID)/messages", headers: room.viewer.bearer)
                #expect((listed.json?["items"] as? [[String: Any]])?.map { $0["content"] as? String } == ["everyone"])
                for socket in [hostSocket, editorSocket, viewerSocket] { await socket.close() }
            }
        }

        @Test func cursorsGoToOthersAndPresenceAnswersWhoViewsAFile() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (hostSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (viewerSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken)

                viewerSocket.send(["type": "cursor_update", "data": ["file": "main.py", "line": 42, "column": 10], "ref": 7])
                let ack = try await viewerSocket.next(type: "ack")
                #expect(ack["ref"] as? Int == 7)
                #expect(ack["id"] is NSNull)
                let cursor = try await hostSocket.next(type: "cursor_update")
                #expect(cursor["user_id"] as? String == room.viewer.id)
                #expect((cursor["cursor"] as? [String: Any])?["line"] as? Int == 42)
                #expect(cursor["id"] == nil)
                viewerSocket.send(["type": "presence_update", "status": "away"])
                _ = try await hostSocket.next(type: "presence_update") { $0["status"] as? String == "away" }
                #expect(!viewerSocket.frames.contains { $0["type"] as? String == "cursor_update" })

                let viewing = try await client.get("/api/sessions/\(room.sessionID)/presence?file=main.py", headers: room.host.bearer)
                let items = try #require(viewing.json?["items"] as? [[String: Any]])
                #expect(items.map { $0["user_id"] as? String } == [room.viewer.id])
                #expect(items.first?["status"] as? String == "away")
                let everyone = try await client.get("/api/sessions/\(room.sessionID)/presence", headers: room.viewer.bearer)
                #expect((everyone.json?["items"] as? [[String: Any]])?.count == 2)

                let stats = try await client.get("/ws/stats")
                #expect(stats.status == 200)
                #expect((stats.json?["connections"] as? [String: Any])?["websocket"] as? Int == 2)
                #expect((stats.json?["presence"] as? [String: Any])?["away"] as? Int == 1)
                await hostSocket.close()
                await viewerSocket.close()
            }
        }
    }
}
