import HTTPTypes
import Hummingbird
import Models

/// Answers 405 with Allow for a path the contract declares, asked with a method it does not list.
///
/// It decides from the contract before anything else runs, so a 405 wins over authentication and body checks.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: OpenAPIRouteIndex

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let allowed = self.routes.allowedMethods(forPath: request.uri.path), !allowed.contains(request.method.rawValue) else {
            return try await next(request, context)
        }
        let allow = allowed.joined(separator: ", ")
        return Problem(
            status: .methodNotAllowed,
            detail: "\(request.method.rawValue) is not supported here; allowed: \(allow)",
            errorCode: .methodNotAllowed,
            requestID: context.requestID
        ).response(extraHeaders: [.allow: allow])
    }
}
