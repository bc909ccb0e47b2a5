import Foundation
import Testing

@Suite("The caller's profile over HTTP")
struct ProfileTests {
    @Test func updatesNameAndPreferences() async throws {
        try await withApp { client in
            let account = try await client.registerAndLogin()
            let updated = try await client.patch(
                "/api/auth/me",
                json: ["full_name": "Grace Hopper", "preferences": ["theme": "dark", "font_size": 14]],
                headers: account.bearer
            )
            #expect(updated.status == 200)
            let me = try #require(try await client.get("/api/auth/me", headers: account.bearer).json)
            #expect(me["full_name"] as? String == "Grace Hopper")
            #expect((me["preferences"] as? [String: Any])?["theme"] as? String == "dark")
            let cleared = try await client.patch("/api/auth/me", json: ["full_name": NSNull()], headers: account.bearer)
            #expect(cleared.json?["full_name"] is NSNull)
            #expect((cleared.json?["preferences"] as? [String: Any])?["font_size"] as? Int == 14)
        }
    }

    @Test func invalidUpdatesAre422AndChangeNothing() async throws {
        try await withApp { client in
            let account = try await client.registerAndLogin()
            let cases: [[String: Any]] = [
                ["full_name": String(repeating: "n", count: 101)],
                ["preferences": "dark"],
                ["preferences": NSNull()],
                ["full_name": "Ok", "new_password": "brand-new-password"],
                ["new_password": "short", "current_password": account.password],
            ]
            for body in cases {
                let response = try await client.patch("/api/auth/me", json: body, headers: account.bearer)
                #expect(response.status == 422, "\(body)")
            }
            let wrongCurrent = try await client.patch(
                "/api/auth/me",
                json: ["full_name": "Ok", "new_password": "brand-new-password", "current_password": "wrong-password"],
                headers: account.bearer
            )
            #expect(wrongCurrent.status == 403)
            #expect(wrongCurrent.json?["error_code"] as? String == "PERMISSION_DENIED")
            let me = try #require(try await client.get("/api/auth/me", headers: account.bearer).json)
            #expect(me["full_name"] is NSNull)
            #expect(try await client.post("/api/auth/login", json: ["username": account.username, "password": account.password]).status == 200)
        }
    }

    @Test func changesPasswordWithTheCurrentOne() async throws {
        try await withApp { client in
            let account = try await client.registerAndLogin()
            let change = try await client.patch(
                "/api/auth/me",
                json: ["current_password": account.password, "new_password": "a-new-password-2"],
                headers: account.bearer
            )
            #expect(change.status == 200)
            #expect(try await client.post("/api/auth/login", json: ["username": account.username, "password": account.password]).status == 401)
            #expect(try await client.post("/api/auth/login", json: ["username": account.username, "password": "a-new-password-2"]).status == 200)
            // Logins made with the old password end.
            #expect(try await client.post("/api/auth/refresh", json: ["refresh_token": account.refreshToken]).status == 401)
        }
    }
}
