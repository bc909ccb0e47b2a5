import API
import Hummingbird
import HummingbirdAuth
import Models

/// Limits REST writes to RATE_LIMIT_PER_MINUTE per user (per client address before login) with a token bucket.
///
/// Reads are not limited: they cost little and a dashboard polls them.
struct RateLimitMiddleware<Context: AuthRequestContext<User> & ClientAddressProviding>: RouterMiddleware {
    let buckets: TokenBuckets

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method) else { return try await next(request, context) }
        let key = context.identity.map { "user:\($0.id)" } ?? "address:\(context.clientAddress ?? "unknown")"
        if let retryAfter = self.buckets.take(key: key) {
            throw DomainError.rateLimited(retryAfterSeconds: retryAfter)
        }
        return try await next(request, context)
    }
}
