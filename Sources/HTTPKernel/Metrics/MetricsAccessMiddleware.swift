import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Models

/// With METRICS_TOKEN set, `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`. That header is not an
/// access token, so it is taken off the request before the bearer authenticator sees it.
struct MetricsAccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.contains("/metrics"), request.routedPath == "/metrics" else { return try await next(request, context) }
        guard let header = request.headers[.authorization], let presented = BearerToken.parse(header),
            Self.constantTimeEqual(presented, self.token)
        else { throw DomainError.unauthorized("/metrics needs Authorization: Bearer <METRICS_TOKEN>") }
        var head = request.head
        head.headerFields[.authorization] = nil
        return try await next(Request(head: head, body: request.body), context)
    }

    /// Compares digests, so the time taken says nothing about how much of the token was right.
    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        SHA256.hash(data: Data(a.utf8)) == SHA256.hash(data: Data(b.utf8))
    }
}
