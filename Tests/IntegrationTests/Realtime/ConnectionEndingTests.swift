import Foundation
import NIOCore
import NIOPosix
import Testing
import WebSocketClient

extension RealtimeIntegration {
    /// The ends of a live connection a client must be able to tell apart.
    @Suite("How live connections end")
    struct ConnectionEndingTests {
        static let secret = "connection-ending-secret-0123456789abcdef"

        @Test func aShuttingDownServerClosesWebSocketsWith1001AndEndsStreams() async throws {
            let server = try await ServerProcess()
            let room = try await server.client.makeRoom()
            let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken)
            let stream = server.client.stream(room.sessionID, as: room.editor)
            _ = try await stream.next(event: "connected")

            async let status = server.stop()
            let code = try await socket.closeCode()
            #expect(code == 1001, "\(socket.frames)")
            _ = try await eventually { stream.isFinished ? true : nil }
            #expect(await status == 0)
        }

        /// A client whose connection ends without a close frame (a killed process, a proxy hanging up) leaves at once,
        /// not at the next ping.
        @Test func aClientThatHangsUpWithoutAClosingHandshakeLeavesAtOnce() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (host, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let editor = try await WebSocketConnection.connect(
                    to: Endpoint(host: "127.0.0.1", port: server.port), path: "/ws/session/\(room.sessionID)?token=\(room.editor.accessToken)",
                    receiver: IgnoredFrames(), group: MultiThreadedEventLoopGroup.singleton
                )
                _ = try await host.next(type: "user_joined") { ($0["user"] as? [String: Any])?["user_id"] as? String == room.editor.id }
                try await editor.channel.close(mode: .output)
                let left = try await host.next(type: "user_left", timeout: .seconds(5)) { $0["user_id"] as? String == room.editor.id }
                #expect(left["username"] as? String == room.editor.username)
                try? await editor.channel.close()
                await host.close()
            }
        }

        @Test func aTokenAlreadyExpiredAtConnectIsRefusedWith4401() async throws {
            try await withServer(environment: ["JWT_SECRET_KEY": Self.secret]) { server, client in
                let room = try await client.makeRoom()
                let now = Int(Date().timeIntervalSince1970)
                let claims: [String: Any] = [
                    "sub": room.viewer.id, "iat": now - 120, "exp": now - 60, "jti": UUID().uuidString, "iss": "sessionhub",
                    "aud": "sessionhub-api", "gen": 0,
                ]
                let expired = ForgedToken.hs256(claims: claims, secret: Self.secret)
                // The same claims a minute from expiry connect: what is refused is the expiry alone.
                let fresh = ForgedToken.hs256(claims: claims.merging(["exp": now + 60]) { $1 }, secret: Self.secret)
                let (accepted, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: fresh)
                await accepted.close()

                let refusal = try await WebSocketRefusal.collect(port: server.port, path: "/ws/session/\(room.sessionID)?token=\(expired)")
                #expect(refusal.frames.first?["error_code"] as? String == "UNAUTHORIZED")
                #expect(refusal.closeCode == 4401)
                #expect(try await client.get("/api/sessions/\(room.sessionID)/stream?token=\(expired)").status == 401)
            }
        }

        @Test func actionsBeyondTheWriteRateAre429AndNotPerformed() async throws {
            // The room's three registrations and logins are writes of this address; the editor's budget is their own.
            try await withServer(environment: ["RATE_LIMIT_PER_MINUTE": "10"]) { _, client in
                let room = try await client.makeRoom()
                let path = "/api/sessions/\(room.sessionID)/actions"
                for index in 0..<10 {
                    let accepted = try await client.post(
                        path, json: ["type": "chat_message", "content": "within \(index)"], headers: room.editor.bearer)
                    #expect(accepted.status == 202, "\(accepted.text)")
                }
                let refused = try await client.post(path, json: ["type": "chat_message", "content": "beyond"], headers: room.editor.bearer)
                #expect(refused.status == 429)
                #expect(refused.headers["retry-after"] != nil)
                #expect(refused.json?["error_code"] as? String == "RATE_LIMITED")
                let stored = try await client.get("/api/sessions/\(room.sessionID)/messages", headers: room.host.bearer)
                let contents = (stored.json?["items"] as? [[String: Any]])?.compactMap { $0["content"] as? String }
                #expect(contents == (0..<10).map { "within \($0)" })
            }
        }
    }
}

private struct IgnoredFrames: FrameReceiver {
    func handle(_ bytes: UnsafeRawBufferPointer) {}
    func closed(code: Int) {}
}
