import Foundation
import Hummingbird
import Models

/// The answer to login and refresh, in the OAuth2 token response shape.
struct TokenPair: ResponseEncodable {
    let accessToken: String
    let tokenType = "bearer"
    let expiresIn: Int
    let refreshToken: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
    }
}

struct RefreshRequest: Decodable {
    let refreshToken: String

    enum CodingKeys: String, CodingKey {
        case refreshToken = "refresh_token"
    }
}

/// A login's username (or email) and password: JSON at `/api/auth/login`, the OAuth2 password form at
/// `/api/auth/token` (what the docs page's Authorize button and OAuth2 clients post).
struct LoginCredentials: Decodable {
    let username: String
    let password: String

    static func form(of request: Request, context: some APIRequestContext) async throws -> LoginCredentials {
        var request = request
        let form = String(buffer: try await request.collectBody(upTo: context.maxUploadSize))
        let fields = Self.formFields(form)
        var problems: [FieldProblem] = []
        for name in ["username", "password"] where (fields[name] ?? "").isEmpty {
            problems.append(FieldProblem(field: name, message: "is required"))
        }
        guard problems.isEmpty, let username = fields["username"], let password = fields["password"] else {
            throw DomainError.invalid(problems)
        }
        return LoginCredentials(username: username, password: password)
    }

    private static func formFields(_ form: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            guard let name = parts.first.map(decode) else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
