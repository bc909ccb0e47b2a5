import Hummingbird
import Models
import NIOCore

/// Refuses bodies over MAX_BODY_BYTES with 413, before any handler reads them, and buffers the rest; a body that
/// takes longer than HTTP_BODY_TIMEOUT_SECONDS to arrive (sent a byte at a time, say) is refused with 408.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int
    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > self.maxBytes {
            throw DomainError.payloadTooLarge(limitBytes: self.maxBytes)
        }
        var request = request
        do {
            // Chunked bodies declare no length: count while reading.
            let body = try await self.collect(request)
            request.body = .init(buffer: body)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw DomainError.payloadTooLarge(limitBytes: self.maxBytes)
        }
        return try await next(request, context)
    }

    private func collect(_ request: Request) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var request = request
                return try await request.collectBody(upTo: self.maxBytes)
            }
            group.addTask {
                try await Task.sleep(for: self.timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let body = try await group.next() ?? nil else { throw DomainError.requestTimeout }
            return body
        }
    }
}
