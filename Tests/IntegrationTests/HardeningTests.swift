import Foundation
import Testing

/// What every deployment gets without asking: headers, file modes, CORS that names one origin, a private /metrics.
@Suite("Hardening")
struct HardeningTests {
    @Test func everyResponseCarriesTheSecurityHeadersAndTokensAreNeverCached() async throws {
        try await withServer { _, client in
            let account = try await client.registerAndLogin()
            let responses = [
                "health": try await client.get("/health"),
                "not found": try await client.get("/api/sessions/\(UUID().uuidString)", headers: account.bearer),
                "login": try await client.post("/api/auth/login", json: ["username": account.username, "password": account.password]),
                "refresh": try await client.post("/api/auth/refresh", json: ["refresh_token": account.refreshToken]),
            ]
            for (name, response) in responses {
                #expect(response.headers["x-content-type-options"] == "nosniff", "\(name)")
                #expect(response.headers["referrer-policy"] == "no-referrer", "\(name)")
                #expect(response.headers["cache-control"] == "no-store", "\(name)")
            }
            #expect(responses["login"]?.json?["access_token"] is String)
            let docs = try await client.get("/api/docs")
            let policy = try #require(docs.headers["content-security-policy"])
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src https://unpkg.com 'sha256-"))
        }
    }

    @Test func theDatabaseAndItsFolderAreTheOwnersAlone() async throws {
        let folder = try ServerProcess.makeFolder()
        try await withServer(environment: ["DATABASE_URL": "sqlite:///./private/sessionhub.sqlite"], folder: folder) { _, client in
            _ = try await client.registerAndLogin()
            let data = folder.appendingPathComponent("private")
            #expect(try Self.mode(of: data) == 0o700)
            for name in ["sessionhub.sqlite", "sessionhub.sqlite-wal", "sessionhub.sqlite-shm", "jwt-secret"] {
                #expect(try Self.mode(of: data.appendingPathComponent(name)) == 0o600, "\(name)")
            }
        }
    }

    static func mode(of url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func corsAnswersWithTheOneMatchingOrigin() async throws {
        let origins = ["https://a.example", "https://b.example"]
        try await withServer(environment: ["CORS_ORIGINS": origins.joined(separator: ", ")]) { _, client in
            for origin in origins {
                let simple = try await client.get("/health", headers: ["Origin": origin])
                #expect(simple.headers["access-control-allow-origin"] == origin)
                #expect(simple.headers["vary"]?.contains("Origin") == true)
                let preflight = try await client.request(
                    "OPTIONS", "/api/sessions",
                    headers: ["Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"]
                )
                #expect(preflight.headers["access-control-allow-origin"] == origin)
            }
            let refused = try await client.get("/health", headers: ["Origin": "https://evil.example"])
            #expect(refused.status == 200)
            #expect(refused.headers["access-control-allow-origin"] == nil)
        }
    }

    @Test func metricsTakeTheirOwnTokenWhenOneIsSet() async throws {
        let token = "scrape-token-0123456789"
        try await withServer(environment: ["METRICS_TOKEN": token]) { _, client in
            let account = try await client.registerAndLogin()
            for path in ["/metrics", "/metrics/", "//metrics"] { #expect(try await client.get(path).status == 401, "\(path)") }
            #expect(try await client.get("/metrics", headers: ["Authorization": "Bearer wrong-token"]).status == 401)
            #expect(try await client.get("/metrics", headers: account.bearer).status == 401)
            let scraped = try await client.get("/metrics", headers: ["Authorization": "Bearer \(token)"])
            #expect(scraped.status == 200)
            #expect(scraped.text.contains("sessionhub_"))
            // The token is only for /metrics.
            #expect(try await client.get("/api/auth/me", headers: ["Authorization": "Bearer \(token)"]).status == 401)
        }
    }

    @Test func aPasswordChangeEndsEveryLoginMadeWithTheOldOne() async throws {
        try await withServer { server, client in
            let room = try await client.makeRoom()
            let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
            let stream = client.stream(room.sessionID, as: room.editor)
            _ = try await stream.next(event: "connected")
            let change = try await client.patch(
                "/api/auth/me", json: ["current_password": room.editor.password, "new_password": "a-whole-new-password"], headers: room.editor.bearer
            )
            #expect(change.status == 200)
            #expect(try await socket.closeCode() == 4401)
            #expect(try await stream.next(event: "error").json["error_code"] as? String == "UNAUTHORIZED")
            stream.close()
            #expect(try await client.get("/api/auth/me", headers: room.editor.bearer).status == 401)
            let login = try await client.post("/api/auth/login", json: ["username": room.editor.username, "password": "a-whole-new-password"])
            let fresh = try #require(login.json?["access_token"] as? String)
            #expect(try await client.get("/api/auth/me", headers: ["Authorization": "Bearer \(fresh)"]).status == 200)
            // Others are untouched.
            #expect(try await client.get("/api/auth/me", headers: room.host.bearer).status == 200)
        }
    }
}
