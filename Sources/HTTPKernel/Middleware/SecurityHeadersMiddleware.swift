import HTTPTypes
import Hummingbird

/// Headers every response carries: no MIME sniffing, no referrer leaking a session's URL, and no caching of what is
/// always one user's data (tokens above all) unless a route says otherwise.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for field in securityHeaderFields {
            // A route may allow caching; the others always hold.
            if field.name == .cacheControl, response.headers[.cacheControl] != nil { continue }
            response.headers[field.name] = field.value
        }
        return response
    }
}

/// Also written by the connection guard into the refusals it answers before any middleware runs.
let securityHeaderFields: [HTTPField] = [
    HTTPField(name: .xContentTypeOptions, value: "nosniff"), HTTPField(name: .referrerPolicy, value: "no-referrer"),
    HTTPField(name: .cacheControl, value: "no-store"),
]

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
