import Foundation
import Testing

extension RealtimeIntegration {
    @Suite("WebSocket: chat, presence and the seed's frames")
    struct WebSocketChatTests {
        @Test func twoUsersChatAndBothReceiveTheSameStoredEvent() async throws {
            try await withServer { server, client in
                let host = try await client.registerAndLogin(prefix: "host")
                let editor = try await client.registerAndLogin(prefix: "editor")
                let sessionID = try await client.createSession(as: host)
                try await client.invite(editor, as: "editor", to: sessionID, by: host)

                let (hostSocket, hostConnected) = try await TestSocket.join(port: server.port, sessionID: sessionID, token: host.accessToken)
                #expect((hostConnected["user"] as? [String: Any])?["user_id"] as? String == host.id)
                #expect(hostConnected["role"] as? String == "host")
                let (editorSocket, editorConnected) = try await TestSocket.join(port: server.port, sessionID: sessionID, token: editor.accessToken)
                let present = (editorConnected["users"] as? [[String: Any]])?.compactMap { $0["user_id"] as? String } ?? []
                #expect(Set(present) == [host.id, editor.id])

                let joined = try await hostSocket.next(type: "user_joined") { ($0["user"] as? [String: Any])?["user_id"] as? String == editor.id }
                #expect(joined["id"] is NSNumber)

                editorSocket.send(["type": "chat_message", "content": "hello @\(host.username)", "ref": "c1"])
                let ack = try await editorSocket.next(type: "ack")
                #expect(ack["ref"] as? String == "c1")
                let ackID = try #require((ack["id"] as? NSNumber)?.int64Value)

                for socket in [hostSocket, editorSocket] {
                    let chat = try await socket.next(type: "chat_message")
                    let message = try #require(chat["message"] as? [String: Any])
                    #expect(message["content"] as? String == "hello @\(host.username)")
                    #expect(message["mentions"] as? [String] == [host.id])
                    #expect((chat["id"] as? NSNumber)?.int64Value == ackID)
                    #expect(chat["session_id"] as? String == sessionID)
                    #expect(chat["ts"] is String)
                }

                // The REST listing shows what was said over the socket: one code path.
                let listed = try await client.get("/api/sessions/\(sessionID)/messages", headers: host.bearer)
                #expect((listed.json?["items"] as? [[String: Any]])?.first?["content"] as? String == "hello @\(host.username)")

                await editorSocket.close()
                let left = try await hostSocket.next(type: "user_left")
                #expect(left["user_id"] as? String == editor.id)
                #expect(left["username"] as? String == editor.username)
                await hostSocket.close()
            }
        }

        /// Reactions, session changes and viewports reach the other members of the room with what changed.
        @Test func reactionsSessionChangesAndViewportsReachTheRoom() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (hostSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (editorSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                hostSocket.send(["type": "chat_message", "content": "react to me"])
                let messageID = try #require((try await editorSocket.next(type: "chat_message")["message"] as? [String: Any])?["id"] as? String)

                editorSocket.send(["type": "reaction", "message_id": messageID, "emoji": "🎉", "action": "add"])
                let reaction = try await hostSocket.next(type: "reaction_update")
                #expect(reaction["message_id"] as? String == messageID && reaction["user_id"] as? String == room.editor.id)
                #expect(reaction["emoji"] as? String == "🎉" && reaction["action"] as? String == "add")
                let tally = try #require((reaction["reactions"] as? [[String: Any]])?.first)
                #expect(tally["count"] as? Int == 1 && tally["user_ids"] as? [String] == [room.editor.id])

                editorSocket.send(["type": "session_update", "changes": ["status": "paused", "tags": ["review"]]])
                let update = try await hostSocket.next(type: "session_update")
                let changes = try #require(update["changes"] as? [String: Any])
                #expect(changes["status"] as? String == "paused" && changes["tags"] as? [String] == ["review"])
                #expect(update["updated_by"] as? String == room.editor.id)

                editorSocket.send(["type": "viewport_update", "data": ["file": "main.py", "start_line": 30, "end_line": 70]])
                let viewport = try await hostSocket.next(type: "viewport_update")
                #expect(viewport["user_id"] as? String == room.editor.id)
                let shown = try #require(viewport["viewport"] as? [String: Any])
                #expect(shown["file"] as? String == "main.py" && shown["start_line"] as? Int == 30 && shown["end_line"] as? Int == 70)
                await editorSocket.close()
                await hostSocket.close()
            }
        }

        /// The seed's Python client reads one frame after connecting (the welcome) and one after sending a chat message
        /// without `ref` (the message itself): no `ack`, and not its own `user_joined`, may come between.
        @Test func theSeedsClientReadsItsWelcomeAndThenItsOwnMessage() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (hostSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (editorSocket, welcome) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                #expect(welcome["your_role"] as? String == "editor")
                let participants = try #require(welcome["participants"] as? [[String: Any]])
                #expect(Set(participants.compactMap { $0["id"] as? String }) == [room.host.id, room.editor.id])
                let me = try #require(participants.first { $0["id"] as? String == room.editor.id })
                #expect(me["username"] as? String == room.editor.username)
                #expect(me["role"] as? String == "editor" && me["status"] as? String == "active")
                // The host hears of the arrival; the editor does not hear of their own.
                _ = try await hostSocket.next(type: "user_joined") { ($0["user"] as? [String: Any])?["user_id"] as? String == room.editor.id }

                editorSocket.send(["type": "chat_message", "content": "Hello from Python!"])
                _ = try await editorSocket.next(type: "chat_message")
                #expect(editorSocket.frames.map { $0["type"] as? String } == ["connected", "chat_message"])
                // With `ref`, the ack comes.
                editorSocket.send(["type": "chat_message", "content": "acknowledged", "ref": 7])
                #expect(try await editorSocket.next(type: "ack")["ref"] as? Int == 7)
                // Every server frame carries the seed's `timestamp`.
                _ = try await hostSocket.next(type: "chat_message") { $0.messageContent == "acknowledged" }
                for frame in editorSocket.frames + hostSocket.frames { #expect(frame["timestamp"] is String, "\(frame)") }
                await editorSocket.close()
                await hostSocket.close()
            }
        }
    }
}
