import Foundation
import Testing

extension RealtimeIntegration {
    @Suite("Realtime permissions, refusals and access changes")
    struct RealtimePermissionTests {
        @Test func aViewerIsDeniedOnBothTransportsAndNothingIsStored() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (hostSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (viewerSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                let eventsBefore = try await client.get("/api/sessions/\(room.sessionID)/events?limit=200", headers: room.host.bearer)

                viewerSocket.send(["type": "chat_message", "content": "let me in", "ref": "v1"])
                let denied = try await viewerSocket.next(type: "error")
                #expect(denied["error_code"] as? String == "PERMISSION_DENIED")
                #expect(denied["ref"] as? String == "v1")
                #expect(denied["timestamp"] is String)
                viewerSocket.send(["type": "session_update", "changes": ["status": "paused"]])
                #expect(try await viewerSocket.next(type: "error")["error_code"] as? String == "PERMISSION_DENIED")

                let action = try await client.post(
                    "/api/sessions/\(room.sessionID)/actions", json: ["type": "chat_message", "content": "let me in"], headers: room.viewer.bearer
                )
                #expect(action.status == 403)
                #expect(action.json?["error_code"] as? String == "PERMISSION_DENIED")

                // The viewer may still move their own cursor; the host sees it, and no chat ever arrived.
                viewerSocket.send(["type": "cursor_update", "data": ["file": "a.swift", "line": 1, "column": 0]])
                _ = try await hostSocket.next(type: "cursor_update")
                #expect(!hostSocket.frames.contains { $0["type"] as? String == "chat_message" })
                let messages = try await client.get("/api/sessions/\(room.sessionID)/messages", headers: room.host.bearer)
                #expect((messages.json?["items"] as? [Any])?.isEmpty == true)
                let eventsAfter = try await client.get("/api/sessions/\(room.sessionID)/events?limit=200", headers: room.host.bearer)
                #expect((eventsAfter.json?["items"] as? [Any])?.count == (eventsBefore.json?["items"] as? [Any])?.count)
                await hostSocket.close()
                await viewerSocket.close()
            }
        }

        @Test func badTokensAndHiddenSessionsAreRefusedWithReadableCloses() async throws {
            try await withServer(environment: ["JWT_SECRET_KEY": String(repeating: "k", count: 40)]) { server, client in
                let room = try await client.makeRoom()
                let outsider = try await client.registerAndLogin(prefix: "outsider")

                // Well-formed in every way but the key it was signed with.
                let now = Int(Date().timeIntervalSince1970)
                let forged = ForgedToken.hs256(
                    claims: ["sub": room.host.id, "exp": now + 600, "iat": now, "jti": UUID().uuidString], secret: String(repeating: "x", count: 40)
                )
                for token in ["not-a-token", forged, ForgedToken.unsigned(claims: ["sub": room.host.id])] {
                    let refusal = try await WebSocketRefusal.collect(port: server.port, path: "/ws/session/\(room.sessionID)?token=\(token)")
                    #expect(refusal.frames.map { $0["type"] as? String } == ["error"])
                    #expect(refusal.frames.first?["error_code"] as? String == "UNAUTHORIZED")
                    #expect(refusal.closeCode == 4401)
                }
                let noToken = try await WebSocketRefusal.collect(port: server.port, path: "/ws/session/\(room.sessionID)")
                #expect(noToken.frames.first?["error_code"] as? String == "UNAUTHORIZED")
                #expect(noToken.closeCode == 4401)

                // No access and no such session look the same: existence is not revealed.
                for sessionID in [room.sessionID, UUID().uuidString.lowercased()] {
                    let refusal = try await WebSocketRefusal.collect(
                        port: server.port, path: "/ws/session/\(sessionID)?token=\(outsider.accessToken)")
                    #expect(refusal.frames.first?["error_code"] as? String == "NOT_FOUND")
                    #expect(refusal.closeCode == 4404)
                    // Over /actions too, for every message: a ping answers only in a session the caller can see.
                    for message: [String: Any] in [["type": "ping"], ["type": "presence_update", "status": "idle"]] {
                        let answer = try await client.post("/api/sessions/\(sessionID)/actions", json: message, headers: outsider.bearer)
                        #expect(answer.status == 404, "\(message): \(answer.text)")
                    }
                }

                // The header works as well as the query; the connection's log lines carry the upgrade's request id.
                let viaHeader = TestSocket(
                    port: server.port, path: "/ws/session/\(room.sessionID)",
                    headers: room.editor.bearer.merging(["X-Request-ID": "ws-upgrade-9"]) { $1 }
                )
                _ = try await viaHeader.next(type: "connected")
                await viaHeader.close()
                let lines = try await eventually {
                    let lines = server.log.split(separator: "\n").filter { $0.contains("\"request_id\":\"ws-upgrade-9\"") }
                    return lines.contains { $0.contains("websocket closed") } ? lines : nil
                }
                #expect(lines.contains { $0.contains("\"message\":\"request\"") && $0.contains("\"status\":\"101\"") }, "\(lines)")
                #expect(lines.contains { $0.contains("websocket opened") })
                #expect(lines.contains { $0.contains("websocket closed") })
            }
        }

        @Test func removingAConnectedParticipantClosesTheirConnectionsWith4403() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (editorSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                let editorStream = client.stream(room.sessionID, as: room.editor)
                _ = try await editorStream.next(event: "connected")
                let (viewerSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken)

                // A role change keeps the connection and takes effect at once.
                let demoted = try await client.patch(
                    "/api/sessions/\(room.sessionID)/participants/\(room.editor.id)", json: ["role": "viewer"], headers: room.host.bearer)
                #expect(demoted.status == 200)
                _ = try await editorSocket.next(type: "participant_updated") { $0["role"] as? String == "viewer" }
                editorSocket.send(["type": "chat_message", "content": "still an editor?"])
                #expect(try await editorSocket.next(type: "error")["error_code"] as? String == "PERMISSION_DENIED")

                let removed = try await client.request(
                    "DELETE", "/api/sessions/\(room.sessionID)/participants/\(room.editor.id)", headers: room.host.bearer)
                #expect(removed.status == 204)
                #expect(try await editorSocket.next(type: "error")["error_code"] as? String == "ACCESS_REVOKED")
                #expect(try await editorSocket.closeCode() == 4403)
                _ = try await editorStream.next(event: "error") { $0.json["error_code"] as? String == "ACCESS_REVOKED" }
                let left = try await viewerSocket.next(type: "user_left")
                #expect(left["user_id"] as? String == room.editor.id)

                // Deleting the session closes everyone left with 4404.
                let deleted = try await client.request("DELETE", "/api/sessions/\(room.sessionID)", headers: room.host.bearer)
                #expect(deleted.status == 204)
                #expect(try await viewerSocket.closeCode() == 4404)
            }
        }

        @Test func anExpiredTokenClosesWith4401UnlessRenewedInBand() async throws {
            let secret = String(repeating: "s", count: 40)
            try await withServer(environment: ["JWT_SECRET_KEY": secret]) { server, client in
                let room = try await client.makeRoom()
                let shortLived = { (user: TestAccount) in
                    ForgedToken.hs256(
                        claims: [
                            "sub": user.id, "exp": Int(Date().timeIntervalSince1970) + 2, "iat": Int(Date().timeIntervalSince1970),
                            "jti": UUID().uuidString, "iss": "sessionhub", "aud": "sessionhub-api", "gen": 0,
                        ],
                        secret: secret
                    )
                }
                let (expiring, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: shortLived(room.editor))
                let (renewed, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: shortLived(room.host))
                renewed.send(["type": "auth", "token": room.editor.accessToken, "ref": "wrong user"])
                #expect(try await renewed.next(type: "error")["error_code"] as? String == "VALIDATION_FAILED")
                renewed.send(["type": "auth", "token": room.host.accessToken, "ref": "renew"])
                #expect(try await renewed.next(type: "ack")["ref"] as? String == "renew")

                #expect(try await expiring.next(type: "error", timeout: .seconds(15))["error_code"] as? String == "TOKEN_EXPIRED")
                #expect(try await expiring.closeCode() == 4401)
                renewed.send(["type": "ping", "ref": "alive"])
                #expect(try await renewed.next(type: "pong")["ref"] as? String == "alive")
                await renewed.close()
            }
        }
    }
}
