import Hummingbird
import Models
import NIOCore

/// Refuses bodies over MAX_BODY_BYTES with 413, before any handler reads them, and buffers the rest. (A body that
/// takes longer than HTTP_BODY_TIMEOUT_SECONDS to arrive is cut off by `ConnectionGuardHandler`.)
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > self.maxBytes {
            throw DomainError.payloadTooLarge(limitBytes: self.maxBytes)
        }
        // Neither a length nor chunks: HTTP/1.1 says there is no body (RFC 9112, 6.3).
        guard declared != nil || request.headers[.transferEncoding] != nil else { return try await next(request, context) }
        var request = request
        do {
            // Chunked bodies declare no length: count while reading.
            request.body = .init(buffer: try await request.collectBody(upTo: self.maxBytes))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw DomainError.payloadTooLarge(limitBytes: self.maxBytes)
        }
        return try await next(request, context)
    }
}
