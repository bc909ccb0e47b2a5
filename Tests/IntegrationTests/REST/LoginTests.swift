import Foundation
import Testing

@Suite("Login, refresh and logout over HTTP")
struct LoginTests {
    /// `/api/auth/login` takes JSON; the OAuth2 password form (the docs page's Authorize button, FastAPI's clients)
    /// has its own operation, `/api/auth/token`, so a generated client sees one body per operation.
    @Test func loginWithJSONFormOrEmail() async throws {
        try await withApp { client in
            let account = try await client.registerAndLogin()
            let formOnLogin = try await client.request(
                "POST", "/api/auth/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data("grant_type=password&username=\(account.username)&password=\(account.password)".utf8))
            #expect(formOnLogin.status == 400)
            #expect(formOnLogin.json?["error_code"] as? String == "INVALID_JSON")
            let form = try await client.request(
                "POST",
                "/api/auth/token",
                headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data("grant_type=password&username=\(account.username)&password=\(account.password)".utf8)
            )
            #expect(form.status == 200)
            let tokens = try #require(form.json)
            #expect(tokens["token_type"] as? String == "bearer")
            #expect(tokens["expires_in"] as? Int == 1800)
            let byEmail = try await client.post(
                "/api/auth/login", json: ["username": "\(account.username)@example.com", "password": account.password])
            #expect(byEmail.status == 200)
            let me = try await client.get("/api/auth/me", headers: ["Authorization": "Bearer \(try #require(tokens["access_token"] as? String))"])
            #expect(me.status == 200)
            #expect(me.json?["id"] as? String == account.id)
        }
    }

    @Test func unknownUserAndWrongPasswordGetTheSameAnswer() async throws {
        try await withApp { client in
            let account = try await client.registerAndLogin()
            let wrongPassword = try await client.post("/api/auth/login", json: ["username": account.username, "password": "wrong-password"])
            let unknownUser = try await client.post("/api/auth/login", json: ["username": "nobody_here", "password": "wrong-password"])
            #expect(wrongPassword.status == 401)
            #expect(unknownUser.status == 401)
            var first = try #require(wrongPassword.json)
            var second = try #require(unknownUser.json)
            first["request_id"] = nil
            second["request_id"] = nil
            #expect(NSDictionary(dictionary: first) == NSDictionary(dictionary: second))
            #expect(wrongPassword.headers["www-authenticate"] == "Bearer")
            let missing = try await client.request(
                "POST",
                "/api/auth/token",
                headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data("username=\(account.username)".utf8)
            )
            #expect(missing.status == 422)
        }
    }

    @Test func refreshTokenWorksOnceAndReuseRevokesTheLogin() async throws {
        try await withApp { client in
            let account = try await client.registerAndLogin()
            let rotated = try await client.post("/api/auth/refresh", json: ["refresh_token": account.refreshToken])
            #expect(rotated.status == 200)
            let next = try #require(rotated.json?["refresh_token"] as? String)
            #expect(next != account.refreshToken)
            let newAccess = try #require(rotated.json?["access_token"] as? String)
            #expect(try await client.get("/api/auth/me", headers: ["Authorization": "Bearer \(newAccess)"]).status == 200)

            let reused = try await client.post("/api/auth/refresh", json: ["refresh_token": account.refreshToken])
            #expect(reused.status == 401)
            #expect(reused.json?["error_code"] as? String == "UNAUTHORIZED")
            // Reuse signals theft: the token rotated from it is revoked as well.
            #expect(try await client.post("/api/auth/refresh", json: ["refresh_token": next]).status == 401)
            #expect(try await client.post("/api/auth/refresh", json: ["refresh_token": "made-up"]).status == 401)
        }
    }

    @Test func logoutRevokesTheRefreshToken() async throws {
        try await withApp { client in
            let account = try await client.registerAndLogin()
            let logout = try await client.post("/api/auth/logout", json: ["refresh_token": account.refreshToken])
            #expect(logout.status == 204)
            #expect(try await client.post("/api/auth/refresh", json: ["refresh_token": account.refreshToken]).status == 401)
            #expect(try await client.post("/api/auth/logout", json: ["refresh_token": account.refreshToken]).status == 204)
        }
    }
}
