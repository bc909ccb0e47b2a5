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
        if request.headers[.upgrade] != nil { return true }
        // Every request passes here: the raw path's bytes are looked at first, and the routed path (`//a/stream/`
        // reaches the stream route too) is built only for the few that may be a stream.
        guard request.method == .get, let raw = request.head.path, Self.mentionsStream(raw.utf8) else { return false }
        return request.routedPath.hasSuffix("/stream")
    }

    /// Whether `/stream` occurs in the bytes (its `/` occurs only first, so a mismatch restarts at most one back).
    private static func mentionsStream(_ bytes: String.UTF8View) -> Bool {
        var matched = 0
        for byte in bytes {
            matched = byte == streamPathBytes[matched] ? matched + 1 : (byte == streamPathBytes[0] ? 1 : 0)
            if matched == streamPathBytes.count { return true }
        }
        return false
    }
}

private let streamPathBytes = Array("/stream".utf8)
