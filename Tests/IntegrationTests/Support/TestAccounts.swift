import Crypto
import Foundation
import Testing

/// A registered, logged-in user of a test server.
struct TestAccount: Sendable {
    let id: String
    let username: String
    let password: String
    let accessToken: String
    let refreshToken: String

    var bearer: [String: String] { ["Authorization": "Bearer \(self.accessToken)"] }
}

extension APIClient {
    /// Registers a user with a unique name and logs it in.
    func registerAndLogin(prefix: String = "user", password: String = "correct-horse-1") async throws -> TestAccount {
        let username = "\(prefix)_\(UUID().uuidString.prefix(8))".lowercased()
        let registered = try await self.post(
            "/api/auth/register", json: ["email": "\(username)@example.com", "username": username, "password": password])
        try #require(registered.status == 201, "register: \(registered.status) \(registered.text)")
        let login = try await self.post("/api/auth/login", json: ["username": username, "password": password])
        try #require(login.status == 200, "login: \(login.status) \(login.text)")
        let tokens = try #require(login.json)
        return TestAccount(
            id: try #require(registered.json?["id"] as? String),
            username: username,
            password: password,
            accessToken: try #require(tokens["access_token"] as? String),
            refreshToken: try #require(tokens["refresh_token"] as? String)
        )
    }
}

/// Hand-made JWTs for the attacks the server must refuse.
enum ForgedToken {
    static func hs256(claims: [String: Any], secret: String, header: [String: Any] = ["alg": "HS256", "typ": "JWT"]) -> String {
        let signingInput = "\(self.base64URL(JSONText.encode(header))).\(self.base64URL(JSONText.encode(claims)))"
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "\(signingInput).\(self.base64URL(Data(signature)))"
    }

    static func unsigned(claims: [String: Any]) -> String {
        "\(self.base64URL(JSONText.encode(["alg": "none", "typ": "JWT"]))).\(self.base64URL(JSONText.encode(claims)))."
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
