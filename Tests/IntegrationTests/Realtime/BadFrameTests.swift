import Foundation
import Testing

extension RealtimeIntegration {
    @Suite("Bad frames are answered, never fatal; floods are closed")
    struct BadFrameTests {
        @Test func badFramesGetErrorFramesAndTheConnectionStaysOpen() async throws {
            try await withServer(environment: ["WS_MAX_MESSAGE_BYTES": "1024"]) { server, client in
                let room = try await client.makeRoom()
                let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                let cases: [(String, String)] = [
                    ("{not json", "INVALID_JSON"),
                    ("[1, 2]", "INVALID_JSON"),
                    (#"{"type": "teleport", "ref": 1}"#, "UNKNOWN_TYPE"),
                    (#"{"content": "no type"}"#, "VALIDATION_FAILED"),
                    (#"{"type": "chat_message", "ref": 2}"#, "VALIDATION_FAILED"),
                    (#"{"type": "chat_message", "content": 42}"#, "VALIDATION_FAILED"),
                    (#"{"type": "cursor_update", "data": {"file": "a", "line": -1, "column": 0}}"#, "VALIDATION_FAILED"),
                    (#"{"type": "reaction", "message_id": "x", "emoji": "👍", "action": "toggle"}"#, "VALIDATION_FAILED"),
                    (#"{"type": "session_update", "changes": {"visibility": "public"}}"#, "VALIDATION_FAILED"),
                    (#"{"type": "delete_message", "message_id": "nope"}"#, "NOT_FOUND"),
                    // PostgreSQL refuses NUL in text; both stores refuse it before it is stored.
                    (#"{"type": "chat_message", "content": "nul \u0000 inside"}"#, "VALIDATION_FAILED"),
                    (#"{"type": "chat_message", "content": "\#(String(repeating: "x", count: 2000))"}"#, "MESSAGE_TOO_LARGE"),
                ]
                for (text, code) in cases {
                    socket.sendRaw(text)
                    let error = try await socket.next(type: "error")
                    #expect(error["error_code"] as? String == code, "\(text.prefix(60))")
                }
                #expect(socket.frames.first { $0["error_code"] as? String == "UNKNOWN_TYPE" }?["ref"] as? Int == 1)
                socket.send(["type": "ping", "ref": "still here"])
                #expect(try await socket.next(type: "pong")["ref"] as? String == "still here")
                // Nothing was stored by any of them.
                let messages = try await client.get("/api/sessions/\(room.sessionID)/messages", headers: room.host.bearer)
                #expect((messages.json?["items"] as? [Any])?.isEmpty == true)

                let action = try await client.request(
                    "POST", "/api/sessions/\(room.sessionID)/actions",
                    headers: room.editor.bearer.merging(["Content-Type": "application/json"]) { $1 },
                    body: Data(#"{"type": "teleport"}"#.utf8)
                )
                #expect(action.status == 400)
                #expect(action.json?["error_code"] as? String == "UNKNOWN_TYPE")
                // Over WS_MAX_MESSAGE_BYTES through the actions endpoint: 413, as the WebSocket answers MESSAGE_TOO_LARGE.
                let oversized = try await client.request(
                    "POST", "/api/sessions/\(room.sessionID)/actions",
                    headers: room.editor.bearer.merging(["Content-Type": "application/json"]) { $1 },
                    body: Data(#"{"type": "chat_message", "content": "\#(String(repeating: "z", count: 2_000))"}"#.utf8)
                )
                #expect(oversized.status == 413, "\(oversized.text)")
                #expect(oversized.json?["error_code"] as? String == "MESSAGE_TOO_LARGE")
                await socket.close()
            }
        }

        @Test func onlyAFrameOverTheLibrarysMegabyteClosesTheSocket() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                socket.sendRaw(#"{"type": "chat_message", "content": "\#(String(repeating: "y", count: 200_000))"}"#)
                #expect(try await socket.next(type: "error")["error_code"] as? String == "MESSAGE_TOO_LARGE")
                socket.sendRaw(String(repeating: " ", count: (1 << 20) + 1))
                #expect(try await socket.closeCode() == 1009)
            }
        }

        @Test func aFloodingClientIsToldThenClosedWith1008() async throws {
            try await withServer(environment: ["WS_FRAMES_PER_SECOND": "5"]) { server, client in
                let room = try await client.makeRoom()
                let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                for index in 0..<60 { socket.send(["type": "ping", "ref": index]) }
                #expect(try await socket.next(type: "error")["error_code"] as? String == "RATE_LIMITED")
                #expect(try await socket.closeCode() == 1008)
                let stats = try await client.get("/ws/stats")
                #expect(stats.json?["flood_closes"] as? Int == 1)
                #expect((stats.json?["rate_limited"] as? Int ?? 0) >= 1)
            }
        }
    }
}
