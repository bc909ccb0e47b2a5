import Foundation
import Hummingbird
import NIOCore

/// The live collaboration page at `/app`: static files bundled with the binary, read once at start.
struct AppPageController<Context: RequestContext>: Sendable {
    /// Scripts and styles from this server only; the page talks to this server's REST, SSE and WebSocket only.
    static var contentSecurityPolicy: String {
        [
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
            "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }

    private struct Asset: Sendable {
        let contentType: String
        let body: ByteBuffer
    }

    private let assets: [String: Asset]

    init() throws {
        let types = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"]
        var assets: [String: Asset] = [:]
        for (name, type) in [("index", "html"), ("app", "js"), ("app", "css")] {
            guard let url = Bundle.module.url(forResource: name, withExtension: type, subdirectory: "App") else {
                throw ConfigurationError("App/\(name).\(type) is missing from the bundle; rebuild sessionhub")
            }
            let contents = try Data(contentsOf: url)
            assets[type == "html" ? "" : "\(name).\(type)"] = Asset(contentType: types[type]!, body: ByteBuffer(bytes: contents))
        }
        self.assets = assets
    }

    func addRoutes(to router: Router<Context>) {
        router.get("/app") { _, _ in try self.response(for: "") }
        router.get("/app/:asset") { _, context in try self.response(for: context.parameters.get("asset") ?? "") }
    }

    private func response(for name: String) throws -> Response {
        guard let asset = self.assets[name] else { throw HTTPError(.notFound) }
        // The page and its assets change only with the binary; revalidating each load keeps an upgrade visible.
        return Response(
            status: .ok,
            headers: [.contentType: asset.contentType, .contentSecurityPolicy: Self.contentSecurityPolicy, .cacheControl: "no-cache"],
            body: .init(byteBuffer: asset.body)
        )
    }
}
