import API
import Hummingbird
import Models

/// CONNECTS_PER_MINUTE per client address for what opens a live connection: WebSocket upgrades (on the upgrade
/// router, where every request is one) and SSE streams. A reconnect loop costs a token each, however short-lived.
struct ConnectRateMiddleware<Context: RequestContext & ClientAddressProviding>: RouterMiddleware {
    let buckets: TokenBuckets

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.opensLiveConnection(request) else { return try await next(request, context) }
        if let retryAfter = self.buckets.take(key: context.clientAddress ?? "unknown") {
            throw DomainError.rateLimited(retryAfterSeconds: retryAfter)
        }
        return try await next(request, context)
    }

    private static func opensLiveConnection(_ request: Request) -> Bool {
        // The cheap test first: most requests are not streams, and the routed path is built only for those that may be.
        request.headers[.upgrade] != nil
            || (request.method == .get && request.uri.path.contains("/stream") && request.routedPath.hasSuffix("/stream"))
    }
}
