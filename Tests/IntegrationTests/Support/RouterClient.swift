import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

@testable import HTTPKernel

/// The whole application, built as `sessionhub` builds it (middleware, services, an in-memory SQLite store), driven
/// through its router in this process: the rules' tests need no process, port or socket.
struct RouterClient: APIClient {
    let client: any TestClientProtocol

    func request(_ method: String, _ path: String, headers: [String: String], body: Data?) async throws -> HTTPResult {
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let field = HTTPField.Name(name) else { throw CurlError(message: "not a header name: \(name)") }
            fields[field] = value
        }
        let response = try await self.client.executeRequest(
            uri: path, method: HTTPRequest.Method(method) ?? .get, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
        let names = response.headers.map { ($0.name.canonicalName, $0.value) }
        return HTTPResult(
            status: Int(response.status.code), headers: Dictionary(names) { first, _ in first }, body: Data(response.body.readableBytesView))
    }
}

/// Settings of every in-process application: a store in memory, a fast bcrypt cost, a fixed key, and the per-address
/// limits raised (in process every request comes from no address at all).
private let baseAppConfiguration = [
    "DATABASE_URL": "sqlite::memory:", "BCRYPT_COST": "4", "LOG_LEVEL": "error", "JWT_SECRET_KEY": String(repeating: "r", count: 40),
    "CONNECTS_PER_MINUTE": "1000000", "LOGIN_ATTEMPTS_PER_MINUTE": "1000000",
]

/// Runs `body` against a fresh application in process; `environment` uses the server's variable names.
func withApp<Result: Sendable>(
    environment: [String: String] = [:], _ body: @Sendable (RouterClient) async throws -> Result
) async throws -> Result {
    let store = TestStore.environment(key: UUID().uuidString)
    let values = baseAppConfiguration.merging(store) { $1 }.merging(environment) { $1 }.map { name, value in
        (AbsoluteConfigKey([name.lowercased()]), ConfigValue(.string(value), isSecret: name == "JWT_SECRET_KEY"))
    }
    let app = try await buildApplication(reader: ConfigReader(provider: InMemoryProvider(values: Dictionary(uniqueKeysWithValues: values))))
    return try await app.test(.router) { client in try await body(RouterClient(client: client)) }
}
