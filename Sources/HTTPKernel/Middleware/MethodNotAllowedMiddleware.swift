import HTTPTypes
import Hummingbird

/// Answers 405 with Allow when the router found no route but the contract declares the path with other methods.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: OpenAPIRouteIndex

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && context.endpointPath == "NotFound" {
            guard let allowed = self.routes.allowedMethods(forPath: request.uri.path), !allowed.contains(request.method.rawValue) else {
                throw error
            }
            let allow = allowed.joined(separator: ", ")
            return Problem(
                status: .methodNotAllowed,
                detail: "\(request.method.rawValue) is not supported here; allowed: \(allow)",
                errorCode: "METHOD_NOT_ALLOWED",
                requestID: context.requestID
            ).response(extraHeaders: [.allow: allow])
        }
    }
}
