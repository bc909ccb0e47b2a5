import Foundation
import Testing

@Suite("Request ids, problems, 405, CORS, rate limits and system routes")
struct HTTPFoundationTests {
    @Test func systemRoutesAnswer() async throws {
        try await withServer { _, client in
            let root = try await client.get("/")
            #expect(root.status == 200)
            #expect(root.json?["name"] as? String == "SessionHub")
            #expect(try await client.get("/health").json?["status"] as? String == "healthy")
            let redirect = try await client.get("/docs")
            #expect(redirect.status == 308 && redirect.headers["location"] == "/api/docs")
            #expect(try await client.get("/ready").json?["status"] as? String == "ready")
            let spec = try await client.get("/api/openapi.yaml")
            #expect(spec.status == 200)
            #expect(spec.text.hasPrefix("openapi: 3.1"))
            #expect(spec.text == (try String(contentsOf: Self.repositoryRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)))
            #expect(spec.headers["content-type"] == "application/yaml; charset=utf-8")
            // Client generators that read only text ask for it.
            let plain = try await client.get("/api/openapi.yaml", headers: ["Accept": "text/plain"])
            #expect(plain.headers["content-type"] == "text/plain; charset=utf-8" && plain.text == spec.text)
            #expect(plain.headers["vary"] == "Accept")
            let yamlFirst = try await client.get("/api/openapi.yaml", headers: ["Accept": "application/yaml, text/plain;q=0.5"])
            #expect(yamlFirst.headers["content-type"] == "application/yaml; charset=utf-8")
            let docs = try await client.get("/api/docs")
            #expect(docs.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(docs.text.contains("/api/openapi.yaml"))
            // Without the CDN the page is still the reference: every operation, rendered by the server.
            let operations = spec.text.split(separator: "\n").filter { $0.hasPrefix("      operationId:") }.count
            #expect(docs.text.components(separatedBy: "<article id=").count - 1 == operations)
            #expect(docs.text.contains("<code>POST /api/sessions/{session_id}/actions</code>"))
            #expect(docs.text.contains("<code>session_id</code> (path, required, string (uuid))"))
            let missing = try await client.get("/no/such/path")
            #expect(missing.status == 404)
            #expect(missing.headers["content-type"] == "application/problem+json")
        }
    }

    /// Ids are UUIDs: a filter that is not one is refused, naming it, rather than quietly matching nothing.
    @Test func idFiltersMustBeUUIDs() async throws {
        try await withServer { _, client in
            let user = try await client.registerAndLogin(prefix: "filters")
            let sessionID = try await client.createSession(as: user)
            for (path, name) in [
                ("/api/sessions?team_id=", "team_id"), ("/api/insights?team_id=nope", "team_id"), ("/api/insights?session_id=1", "session_id"),
                ("/api/sessions/\(sessionID)/messages?parent_id=x", "parent_id"), ("/api/analytics/team?team_id=x", "team_id"),
            ] {
                let refused = try await client.get(path, headers: user.bearer)
                #expect(refused.status == 422, "\(path)")
                #expect((refused.json?["errors"] as? [[String: Any]])?.first?["field"] as? String == name, "\(path)")
            }
            #expect(try await client.get("/api/sessions?team_id=\(UUID().uuidString)", headers: user.bearer).status == 200)
        }
    }

    @Test func requestIDIsEchoedOrGeneratedAndLogged() async throws {
        try await withServer { server, client in
            let echoed = try await client.get("/health", headers: ["X-Request-ID": "trace-abc.123"])
            #expect(echoed.headers["x-request-id"] == "trace-abc.123")
            let generated = try await client.get("/health")
            #expect(UUID(uuidString: try #require(generated.headers["x-request-id"])) != nil)
            let unsafe = try await client.get("/health", headers: ["X-Request-ID": "has spaces and \"quotes\""])
            #expect(unsafe.headers["x-request-id"] != "has spaces and \"quotes\"")
            let problem = try await client.post(
                "/api/auth/login", json: ["username": "x", "password": "y"], headers: ["X-Request-ID": "login-attempt-7"])
            #expect(problem.json?["request_id"] as? String == "login-attempt-7")
            let line = try await eventually { server.log.split(separator: "\n").first { $0.contains("login-attempt-7") } }
            let entry = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(entry["status"] as? String == "401")
            #expect(entry["path"] as? String == "/api/auth/login")
        }
    }

    @Test func knownPathWithOtherMethodIs405WithAllow() async throws {
        try await withServer { _, client in
            let response = try await client.request("DELETE", "/api/auth/me")
            #expect(response.status == 405)
            #expect(response.headers["allow"] == "GET, HEAD, PATCH")
            #expect(response.json?["error_code"] as? String == "METHOD_NOT_ALLOWED")
            #expect(try await client.request("GET", "/api/auth/login").headers["allow"] == "POST")
        }
    }

    @Test func headIsAnsweredLikeGetWithoutABody() async throws {
        try await withServer { _, client in
            let get = try await client.get("/health")
            let head = try await client.request("HEAD", "/health")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.headers["content-length"] == get.headers["content-length"])
            #expect(try await client.request("HEAD", "/api/auth/me").status == 401)
        }
    }

    @Test func corsAllowsConfiguredOrigins() async throws {
        try await withServer(environment: ["CORS_ORIGINS": "https://app.example.com"]) { _, client in
            let preflight = try await client.request(
                "OPTIONS",
                "/api/auth/login",
                headers: ["Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"]
            )
            #expect(preflight.headers["access-control-allow-origin"] == "https://app.example.com")
            let simple = try await client.get("/health", headers: ["Origin": "https://app.example.com"])
            #expect(simple.headers["access-control-allow-origin"] == "https://app.example.com")
        }
    }

    @Test func writesBeyondTheRateLimitAre429WithRetryAfter() async throws {
        try await withServer(environment: ["RATE_LIMIT_PER_MINUTE": "3"]) { _, client in
            let statuses = try await (0..<4).asyncMap { _ in try await client.post("/api/auth/logout", json: ["refresh_token": "x"]) }
            #expect(statuses.prefix(3).allSatisfy { $0.status == 204 })
            let limited = try #require(statuses.last)
            #expect(limited.status == 429)
            #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
            #expect(limited.json?["error_code"] as? String == "RATE_LIMITED")
            // Reads are not limited.
            #expect(try await client.get("/health").status == 200)
        }
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
