import Foundation
import Testing

@Suite("Access tokens that must be refused")
struct TokenTests {
    static let secret = "integration-test-secret-0123456789abcdef"

    @Test func forgedExpiredAndForeignTokensAre401() async throws {
        try await withApp(environment: ["JWT_SECRET_KEY": Self.secret]) { client in
            let account = try await client.registerAndLogin()
            let now = Int(Date().timeIntervalSince1970)
            let valid: [String: Any] = [
                "sub": account.id, "iat": now, "exp": now + 600, "jti": UUID().uuidString, "iss": "sessionhub", "aud": "sessionhub-api", "gen": 0,
            ]

            // The test can mint a token the server accepts, so the refusals below are about the token, not the harness.
            #expect(try await self.me(client, token: ForgedToken.hs256(claims: valid, secret: Self.secret)) == 200)

            var expired = valid
            expired["exp"] = now - 60
            let tampered = account.accessToken.dropLast(2) + (account.accessToken.hasSuffix("AA") ? "BB" : "AA")
            let refused: [String: String] = [
                "expired": ForgedToken.hs256(claims: expired, secret: Self.secret),
                "foreign key": ForgedToken.hs256(claims: valid, secret: "some-other-secret-0123456789abcdefgh"),
                "alg none": ForgedToken.unsigned(claims: valid),
                "HS512 header": ForgedToken.hs256(claims: valid, secret: Self.secret, header: ["alg": "HS512", "typ": "JWT"]),
                "tampered signature": String(tampered),
                "unknown user": ForgedToken.hs256(claims: valid.merging(["sub": UUID().uuidString.lowercased()]) { $1 }, secret: Self.secret),
                "garbage": "not.a.jwt",
                "no issuer": ForgedToken.hs256(claims: valid.filter { $0.key != "iss" }, secret: Self.secret),
                "no audience": ForgedToken.hs256(claims: valid.filter { $0.key != "aud" }, secret: Self.secret),
                "another issuer": ForgedToken.hs256(claims: valid.merging(["iss": "billing"]) { $1 }, secret: Self.secret),
                "another audience": ForgedToken.hs256(claims: valid.merging(["aud": "billing-api"]) { $1 }, secret: Self.secret),
                "another credentials generation": ForgedToken.hs256(claims: valid.merging(["gen": 3]) { $1 }, secret: Self.secret),
            ]
            for (name, token) in refused {
                let response = try await client.get("/api/auth/me", headers: ["Authorization": "Bearer \(token)"])
                #expect(response.status == 401, "\(name)")
                #expect(response.headers["www-authenticate"] == "Bearer", "\(name)")
                #expect(response.json?["error_code"] as? String == "UNAUTHORIZED", "\(name)")
            }
            #expect(try await client.get("/api/auth/me", headers: ["Authorization": "Basic Zm9vOmJhcg=="]).status == 401)
            #expect(try await client.get("/api/auth/me").status == 401)
        }
    }

    @Test func refusedTokenChangesNothing() async throws {
        try await withApp(environment: ["JWT_SECRET_KEY": Self.secret]) { client in
            let account = try await client.registerAndLogin()
            let forged = ForgedToken.hs256(
                claims: ["sub": account.id, "iat": 0, "exp": Int(Date().timeIntervalSince1970) + 600],
                secret: "some-other-secret-0123456789abcdefgh"
            )
            let attempt = try await client.patch("/api/auth/me", json: ["full_name": "Mallory"], headers: ["Authorization": "Bearer \(forged)"])
            #expect(attempt.status == 401)
            let me = try await client.get("/api/auth/me", headers: account.bearer)
            #expect(me.json?["full_name"] is NSNull)
        }
    }

    private func me(_ client: some APIClient, token: String) async throws -> Int {
        try await client.get("/api/auth/me", headers: ["Authorization": "Bearer \(token)"]).status
    }
}
