import API
import HTTPTypes
import Hummingbird

/// Decides once per request which address the client has (see `TrustedProxies`), for every per-address limit.
struct ClientAddressMiddleware<Context: RequestContext & ClientAddressProviding>: RouterMiddleware {
    let proxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = self.proxies.clientAddress(peer: context.peerAddress, forwardedFor: request.headers[.xForwardedFor])
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
