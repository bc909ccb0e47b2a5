import Hummingbird

/// CORS for a list of origins. `Access-Control-Allow-Origin` may name one origin only, so the request's origin is
/// echoed when it is on the list; any other origin gets no CORS headers at all, and browsers refuse it.
struct AllowedOriginsMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    /// Echoes the request's origin; only reached for listed ones.
    let cors: CORSMiddleware<Context>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], self.origins.contains(origin) else { return try await next(request, context) }
        return try await self.cors.handle(request, context: context, next: next)
    }
}
