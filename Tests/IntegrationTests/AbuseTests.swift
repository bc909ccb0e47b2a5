import Foundation
import Testing

/// Floods, slow clients and guessers get clear refusals and cost the server little (OWASP API4).
@Suite("Resistance to exhaustion", .serialized)
struct AbuseTests {
    static func upgradeRequest(sessionID: String, token: String) -> String {
        "GET /ws/session/\(sessionID)?token=\(token) HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    @Test func aReconnectLoopIsRefusedAfterTheRateAndPassersByLeaveNoLog() async throws {
        try await withServer(environment: ["CONNECTS_PER_MINUTE": "100"]) { server, client in
            let host = try await client.registerAndLogin(prefix: "host")
            let sessionID = try await client.createSession(as: host, ["visibility": "public"])
            let passerBy = try await client.registerAndLogin(prefix: "passer")
            var upgraded = 0
            var refused = 0
            let started = ContinuousClock.now
            for _ in 0..<2_000 {
                let connection = try RawConnection(port: server.port)
                connection.send(Self.upgradeRequest(sessionID: sessionID, token: passerBy.accessToken))
                switch connection.readStatus(timeout: .seconds(5)) {
                case 101: upgraded += 1
                case 400: refused += 1
                case let other: Issue.record("unexpected answer \(String(describing: other))")
                }
            }
            // The burst, and what refilled while the loop ran (100 a minute, one every 0.6 s).
            let refilled = Int(started.duration(to: .now) / .milliseconds(600)) + 1
            #expect((100...100 + refilled).contains(upgraded), "\(upgraded) upgraded, \(refilled) refilled")
            #expect(refused == 2_000 - upgraded)
            let log = try await client.collectPages("/api/sessions/\(sessionID)/events", limit: 200, headers: host.bearer).items
            #expect(!log.contains { ($0["actor_id"] as? String) == passerBy.id }, "\(log.count) events")
            #expect(log.count < 10)
        }
    }

    /// At one connect a minute nothing refills during the test, so which open spent the token is certain.
    @Test func streamsAndUpgradesSpendOneRate() async throws {
        try await withServer(environment: ["CONNECTS_PER_MINUTE": "1"]) { server, client in
            let room = try await client.makeRoom()
            let stream = client.stream(room.sessionID, as: room.editor)
            _ = try await stream.next(event: "connected")
            stream.close()
            let upgrade = try RawConnection(port: server.port)
            upgrade.send(Self.upgradeRequest(sessionID: room.sessionID, token: room.host.accessToken))
            #expect(upgrade.readStatus(timeout: .seconds(5)) == 400)
            let secondStream = try await client.get("/api/sessions/\(room.sessionID)/stream", headers: room.host.bearer)
            #expect(secondStream.status == 429)
            #expect(secondStream.json?["error_code"] as? String == "RATE_LIMITED")
            #expect(secondStream.headers["retry-after"] != nil)
        }
    }

    @Test func aUserHoldsAtMostTheirConnectionCap() async throws {
        try await withServer(environment: ["MAX_CONNECTIONS_PER_USER": "2"]) { server, client in
            let room = try await client.makeRoom()
            let (first, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
            let stream = client.stream(room.sessionID, as: room.editor)
            _ = try await stream.next(event: "connected")
            let refusal = try await WebSocketRefusal.collect(
                port: server.port, path: "/ws/session/\(room.sessionID)?token=\(room.editor.accessToken)")
            #expect(refusal.frames.first?["error_code"] as? String == "TOO_MANY_CONNECTIONS")
            #expect(refusal.closeCode == 1008)
            let sse = try await client.get("/api/sessions/\(room.sessionID)/stream", headers: room.editor.bearer)
            #expect(sse.status == 429)
            #expect(sse.json?["error_code"] as? String == "TOO_MANY_CONNECTIONS")
            #expect(sse.headers["retry-after"] != nil)
            // Others are not affected, and a closed connection frees its place.
            let (host, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
            await first.close()
            try await eventually {
                (try? await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken))?.0
            }.close()
            stream.close()
            await host.close()
        }
    }

    @Test func slowAndSilentClientsAreCutOff() async throws {
        // Headers time out before the idle timeout, so what cuts a slow header off is the header deadline, with a 408.
        let limits = ["HTTP_HEADER_TIMEOUT_SECONDS": "2", "HTTP_IDLE_TIMEOUT_SECONDS": "4", "HTTP_BODY_TIMEOUT_SECONDS": "2"]
        try await withServer(environment: limits) { server, _ in
            // Slowloris: a byte of headers every half second keeps any idle timer happy, not the header deadline.
            let slowloris = try RawConnection(port: server.port)
            let started = ContinuousClock.now
            slowloris.send("GET /health HTTP/1.1\r\nHost: localhost\r\n")
            let trickle = Self.trickle(into: slowloris)
            let answer = slowloris.readUntilClosed(timeout: .seconds(10))
            trickle.cancel()
            #expect(answer.closed)
            #expect(answer.text.hasPrefix("HTTP/1.1 408"), "\(answer.text)")
            #expect(started.duration(to: .now) < .seconds(6))

            // A connection that never says anything.
            let silent = try RawConnection(port: server.port)
            #expect(silent.readUntilClosed(timeout: .seconds(10)).closed)

            // A body that trickles in.
            let slowBody = try RawConnection(port: server.port)
            slowBody.send("POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"user")
            let bodyAnswer = slowBody.readUntilClosed(timeout: .seconds(10))
            #expect(bodyAnswer.text.hasPrefix("HTTP/1.1 408"), "\(bodyAnswer.text)")

            // A well-behaved keep-alive connection serves request after request, chunked bodies among them.
            let polite = try RawConnection(port: server.port)
            for _ in 0..<3 {
                polite.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                #expect(polite.readStatus(timeout: .seconds(5)) == 200)
            }
            let chunked = "POST /api/auth/logout HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            polite.send(chunked + "1c;note=x\r\n{\"refresh_token\": \"abcdefg\"}\r\n0\r\n\r\n")
            #expect(polite.readStatus(timeout: .seconds(5)) == 204)
            polite.send("GET /health HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            #expect(polite.readStatus(timeout: .seconds(5)) == 200)
            // Then slow headers on the same connection are cut off like any: the guard kept its place in the stream.
            polite.send("GET /health HTTP/1.1\r\n")
            let trickleAgain = Self.trickle(into: polite)
            let cutOff = polite.readUntilClosed(timeout: .seconds(10))
            trickleAgain.cancel()
            #expect(cutOff.closed && cutOff.text.hasPrefix("HTTP/1.1 408"), "\(cutOff.text)")
        }
    }

    /// A header line a byte every half second: never idle, never done.
    static func trickle(into connection: RawConnection) -> Task<Void, Never> {
        Task.detached {
            for byte in "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".map(String.init) {
                guard connection.send(byte) else { return }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    @Test func theServerAnswers503BeyondMaxConnections() async throws {
        try await withServer(environment: ["MAX_CONNECTIONS": "3"]) { server, client in
            // Each served once, so each is surely counted before the next connection arrives.
            var held = try (0..<3).map { _ in
                let connection = try RawConnection(port: server.port)
                connection.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                return (connection, connection.readStatus(timeout: .seconds(5)))
            }
            #expect(held.map(\.1) == [200, 200, 200])
            let refused = try await client.get("/health")
            #expect(refused.status == 503)
            #expect(refused.json?["error_code"] as? String == "SERVER_BUSY")
            #expect(refused.headers["retry-after"] != nil)
            held.removeAll()  // closes them
            _ = try await eventually { try await client.get("/health").status == 200 ? true : nil }
        }
    }

    @Test func loginGuessesAreThrottledPerAddressAndUsername() async throws {
        try await withServer(environment: ["LOGIN_ATTEMPTS_PER_MINUTE": "3", "TRUSTED_PROXIES": "127.0.0.1/32"]) { _, client in
            func guess(from address: String, as username: String = "victim") async throws -> HTTPResult {
                try await client.post(
                    "/api/auth/login", json: ["username": username, "password": "wrong-guess-1"], headers: ["X-Forwarded-For": address])
            }
            for _ in 0..<3 { #expect(try await guess(from: "203.0.113.5").status == 401) }
            let throttled = try await guess(from: "203.0.113.5")
            #expect(throttled.status == 429)
            #expect(throttled.headers["retry-after"] != nil)
            // The username the login reads is the one counted, however the form repeats the field.
            let form = "username=decoy&username=victim&password=wrong-guess-1"
            let repeated = try await client.request(
                "POST", "/api/auth/token//",
                headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "203.0.113.5"], body: Data(form.utf8)
            )
            #expect(repeated.status == 429)
            // Another client behind the same proxy, and another username from the same client, are not held back.
            #expect(try await guess(from: "203.0.113.6").status == 401)
            #expect(try await guess(from: "203.0.113.5", as: "someone_else").status == 401)
        }
        // Without a trusted proxy, X-Forwarded-For is anyone's to forge and is not believed.
        try await withServer(environment: ["LOGIN_ATTEMPTS_PER_MINUTE": "3"]) { _, client in
            let statuses = try await (0..<4).asyncMap { index in
                try await client.post(
                    "/api/auth/login", json: ["username": "victim", "password": "wrong-guess-1"], headers: ["X-Forwarded-For": "198.51.100.\(index)"]
                ).status
            }
            #expect(statuses == [401, 401, 401, 429])
        }
    }
}
