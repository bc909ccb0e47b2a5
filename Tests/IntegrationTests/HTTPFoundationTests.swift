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
            let docs = try await client.get("/api/docs")
            #expect(docs.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(docs.text.contains("/api/openapi.yaml"))
            let missing = try await client.get("/no/such/path")
            #expect(missing.status == 404)
            #expect(missing.headers["content-type"] == "application/problem+json")
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
