import Foundation
import Hummingbird
import Models

/// Throttles password guessing: LOGIN_ATTEMPTS_PER_MINUTE attempts per (client address, username) for login and
/// registration, before any bcrypt work is spent on them. Per pair, so one attacker cannot lock a user out from
/// everywhere, and spreading guesses over usernames from one address still hits the per-address write limit.
struct LoginThrottleMiddleware<Context: RequestContext & ClientAddressProviding>: RouterMiddleware {
    let buckets: TokenBuckets
    static var throttledPaths: Set<String> { ["/api/auth/login", "/api/auth/register"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, Self.throttledPaths.contains(request.uri.path) else { return try await next(request, context) }
        var request = request
        // The body limit middleware has buffered it already: this reads it from memory.
        let body = try await request.collectBody(upTo: .max)
        let username = Self.username(in: Data(body.readableBytesView), contentType: request.headers[.contentType])
        if let retryAfter = self.buckets.take(key: "\(context.clientAddress ?? "unknown")|\(username.lowercased())") {
            throw DomainError.rateLimited(retryAfterSeconds: retryAfter)
        }
        return try await next(request, context)
    }

    /// The username (or email) a JSON or form body names; empty when it names none (the route will refuse it).
    static func username(in body: Data, contentType: String?) -> String {
        if contentType?.hasPrefix("application/x-www-form-urlencoded") == true {
            let pairs = String(decoding: body, as: UTF8.self).split(separator: "&").map { $0.split(separator: "=", maxSplits: 1) }
            let value = pairs.first { $0.first == "username" }?.dropFirst().first.map(String.init) ?? ""
            return value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? value
        }
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        return object?["username"] as? String ?? ""
    }
}
