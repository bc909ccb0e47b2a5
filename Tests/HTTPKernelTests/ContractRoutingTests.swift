import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HTTPKernel

@Suite("The contract and the router agree")
struct ContractRoutingTests {
    static func makeApplication() async throws -> some ApplicationProtocol {
        let provider = InMemoryProvider(values: [
            "database_url": "sqlite::memory:", "port": "0", "bcrypt_cost": "4", "log_level": "error",
            "jwt_secret_key": ConfigValue(.string(String(repeating: "t", count: 40)), isSecret: true),
        ])
        return try await buildApplication(reader: ConfigReader(provider: provider))
    }

    @Test func everyDocumentedOperationIsRouted() async throws {
        let document = try OpenAPIDocument.load()
        let index = OpenAPIRouteIndex(openAPIDocument: document)
        // Counted another way: every operation of the contract has an operationId (the generated clients need one).
        let operationIDs = document.split(separator: "\n").filter { $0.hasPrefix("      operationId:") }
        #expect(index.operations.count == operationIDs.count)
        try await Self.makeApplication().test(.router) { client in
            for operation in index.operations {
                let path = operation.path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x", options: .regularExpression)
                let method = try #require(HTTPRequest.Method(operation.method))
                try await client.execute(uri: path, method: method, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")) {
                    response in
                    #expect(![404, 405].contains(response.status.code), "\(operation.method) \(operation.path) is not routed")
                }
            }
        }
    }

    @Test func undocumentedMethodOnADocumentedPathIs405() async throws {
        try await Self.makeApplication().test(.router) { client in
            try await client.execute(uri: "/health", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/nothing/here", method: .post) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func routeIndexMatchesTemplates() {
        let index = OpenAPIRouteIndex(
            openAPIDocument: """
                openapi: 3.1.0
                paths:
                  /api/sessions/{session_id}:
                    get:
                      summary: x
                    patch:
                      summary: y
                  /api/sessions:
                    post:
                      summary: z
                  /api/sessions/stats:
                    get:
                      summary: s
                components:
                  schemas:
                    get:
                      type: object
                """
        )
        #expect(index.allowedMethods(forPath: "/api/sessions/abc") == ["GET", "HEAD", "PATCH"])
        #expect(index.allowedMethods(forPath: "/api/sessions") == ["POST"])
        #expect(index.allowedMethods(forPath: "/api/sessions/abc/extra") == nil)
        #expect(index.allowedMethods(forPath: "/api/sessions/stats") == ["GET", "HEAD"])
        // `components` is not a path.
        #expect(Set(index.operations.map(\.path)) == ["/api/sessions/{session_id}", "/api/sessions", "/api/sessions/stats"])
    }
}
