import Hummingbird
import Models

/// Refuses bodies over MAX_BODY_BYTES with 413, before any handler reads them, and buffers the rest.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > self.maxBytes {
            throw DomainError.payloadTooLarge(limitBytes: self.maxBytes)
        }
        var request = request
        do {
            // Chunked bodies declare no length: count while reading.
            let body = try await request.collectBody(upTo: self.maxBytes)
            request.body = .init(buffer: body)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw DomainError.payloadTooLarge(limitBytes: self.maxBytes)
        }
        return try await next(request, context)
    }
}
