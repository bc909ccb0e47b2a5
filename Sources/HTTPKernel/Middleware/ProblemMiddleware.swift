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
            if problem.status == 503 {
                // The store or a limit of the server's own said no: worth an operator's eye, not an alarm per request.
                context.logger.warning("request refused: \(problem.errorCode.rawValue)", metadata: ["error": .string(String(reflecting: error))])
            } else if problem.status >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(String(reflecting: error))])
            }
            var headers: HTTPFields = [:]
            switch error {
            case DomainError.rateLimited(let seconds), DomainError.storeUnavailable(let seconds), DomainError.serverBusy(let seconds):
                headers[.retryAfter] = String(seconds)
            case DomainError.tooManyConnections:
                headers[.retryAfter] = String(DomainError.tooManyConnectionsRetrySeconds)
            default:
                break
            }
            return problem.response(extraHeaders: headers)
        }
    }
}
