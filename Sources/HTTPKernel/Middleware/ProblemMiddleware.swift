import HTTPTypes
import Hummingbird
import Logging
import Models

/// Turns every error thrown below it into a problem+json response: the one place errors are mapped.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem(error: error, requestID: context.requestID)
            if problem.status >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(String(reflecting: error))])
            }
            var headers: HTTPFields = [:]
            if case DomainError.rateLimited(let seconds) = error { headers[.retryAfter] = String(seconds) }
            return problem.response(extraHeaders: headers)
        }
    }
}
