import Foundation
import Hummingbird
import NIOCore

/// The live collaboration page at `/app`: static files bundled with the binary, read once at start.
struct AppPageController<Context: RequestContext>: Sendable {
    /// Its headers and bytes, made once at start.
    private struct Asset: Sendable {
        let headers: HTTPFields
        let body: ByteBuffer
    }

    private let assets: [String: Asset]

    /// Every file of the bundled App folder, by name; `index.html` is the page itself.
    init() throws {
        let types = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"]
        // Scripts and styles from this server only; the page talks to this server's REST, SSE and WebSocket only.
        let contentSecurityPolicy = [
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
            "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
        ].joined(separator: "; ")
        guard let folder = try BundledResources.bundle().url(forResource: "App", withExtension: nil) else {
            throw ConfigurationError("The App folder is missing from the bundle; rebuild sessionhub")
        }
        var assets: [String: Asset] = [:]
        for file in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) {
            guard let type = types[file.pathExtension] else { continue }
            let name = file.lastPathComponent == "index.html" ? "" : file.lastPathComponent
            // The page and its assets change only with the binary; revalidating each load keeps an upgrade visible.
            let headers: HTTPFields = [.contentType: type, .contentSecurityPolicy: contentSecurityPolicy, .cacheControl: "no-cache"]
            assets[name] = Asset(headers: headers, body: ByteBuffer(bytes: try Data(contentsOf: file)))
        }
        guard assets[""] != nil else { throw ConfigurationError("App/index.html is missing from the bundle; rebuild sessionhub") }
        self.assets = assets
    }

    func addRoutes(to router: Router<Context>) {
        router.get("/app") { _, _ in try self.response(for: "") }
        router.get("/app/:asset") { _, context in try self.response(for: context.parameters.get("asset") ?? "") }
    }

    private func response(for name: String) throws -> Response {
        guard let asset = self.assets[name] else { throw HTTPError(.notFound) }
        return Response(status: .ok, headers: asset.headers, body: .init(byteBuffer: asset.body))
    }
}
