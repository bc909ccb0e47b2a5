import API
import Foundation
import Hummingbird
import Logging
import Models
import NIOCore

/// The routes about the server itself: `/`, `/health`, `/ready`, the contract and its docs page.
struct SystemController<Context: RequestContext>: Sendable {
    static var version: String { "0.1.0" }

    let store: any Store
    /// Encoded once at start (the contract, the docs page rendered from it, `/health`'s answer): none changes while the
    /// binary runs.
    let openAPIDocument: ByteBuffer
    let docsPage: ByteBuffer
    let healthy = ByteBuffer(string: JSONValue.object(["status": .string("healthy"), "version": .string(Self.version)]).jsonText)

    init(store: any Store, openAPIDocument: String) throws {
        self.store = store
        self.openAPIDocument = ByteBuffer(string: openAPIDocument)
        self.docsPage = ByteBuffer(string: DocsPage.html(reference: try OperationReference(openAPIDocument: openAPIDocument)))
    }

    func addRoutes(to router: Router<Context>) {
        router.get("/", use: self.root)
        router.get("/health", use: self.health)
        router.get("/ready", use: self.ready)
        router.get("/api/openapi.yaml", use: self.openAPI)
        router.get("/api/docs", use: self.docs)
        // Where users of FastAPI services look first.
        router.get("/docs") { _, _ in Response(status: .permanentRedirect, headers: [.location: "/api/docs"]) }
    }

    @Sendable func root(_ request: Request, context: Context) async throws -> ServiceDescription {
        ServiceDescription(
            name: "SessionHub",
            version: Self.version,
            links: ["docs": "/api/docs", "openapi": "/api/openapi.yaml", "health": "/health", "ready": "/ready", "metrics": "/metrics"]
        )
    }

    /// Liveness: the process answers. It checks nothing else, so an orchestrator does not restart it for a slow disk.
    /// `healthy`, the word the seed's server answers with and its clients check for. Always the same bytes, encoded
    /// once: monitors and load balancers probe it all day.
    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: self.healthy))
    }

    /// Readiness: the store answers a query.
    @Sendable func ready(_ request: Request, context: Context) async throws -> Response {
        do {
            try await self.store.checkReachable()
            return try HealthStatus(status: "ready", version: Self.version).response(from: request, context: context)
        } catch {
            context.logger.error("store unreachable", metadata: ["error": .string(String(reflecting: error))])
            return Problem(
                status: .serviceUnavailable,
                detail: "The store is not reachable",
                errorCode: .notReady,
                requestID: context.requestID
            ).response()
        }
    }

    @Sendable func openAPI(_ request: Request, context: Context) async throws -> Response {
        let type = Self.prefersPlainText(request.headers[.accept]) ? "text/plain" : "application/yaml"
        return Response(
            status: .ok,
            // Caches must keep the two answers apart.
            headers: [.contentType: "\(type); charset=utf-8", .vary: "Accept"],
            body: .init(byteBuffer: self.openAPIDocument)
        )
    }

    /// True when Accept names `text/plain` with a higher quality than any YAML type it names: client generators
    /// that read only text ask for it, and everyone else gets the registered `application/yaml`.
    static func prefersPlainText(_ accept: String?) -> Bool {
        var plain: Double?
        var yaml = 0.0
        for range in (accept ?? "").split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if parts.first == "text/plain" {
                plain = max(plain ?? 0, quality)
            } else if parts.first?.hasSuffix("yaml") == true {
                yaml = max(yaml, quality)
            }
        }
        return (plain ?? 0) > yaml
    }

    @Sendable func docs(_ request: Request, context: Context) async throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: DocsPage.contentSecurityPolicy],
            body: .init(byteBuffer: self.docsPage)
        )
    }
}

struct ServiceDescription: ResponseEncodable {
    let name: String
    let version: String
    let links: [String: String]
}

struct HealthStatus: ResponseEncodable {
    let status: String
    let version: String
}
