import Foundation

/// What the server answered: status, headers (names lower-cased) and body.
struct HTTPResult: Sendable {
    let status: Int
    let headers: [String: String]
    let body: Data

    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The body as a JSON object; fails the caller's `#require` when it is not one.
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: self.body)) as? [String: Any] }
}

/// How a test talks to SessionHub: libcurl to a real process (`CurlClient`), or the router in process
/// (`RouterClient`), with the same calls and answers, so a rule's test does not care which.
protocol APIClient: Sendable {
    func request(_ method: String, _ path: String, headers: [String: String], body: Data?) async throws -> HTTPResult
}

extension APIClient {
    func request(_ method: String, _ path: String, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await self.request(method, path, headers: headers, body: nil)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await self.request("GET", path, headers: headers)
    }

    /// Sends a JSON value (encoded with JSONSerialization).
    func post(_ path: String, json: Any, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await self.request("POST", path, headers: headers.merging(["Content-Type": "application/json"]) { $1 }, body: JSONText.encode(json))
    }

    func patch(_ path: String, json: Any, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await self.request("PATCH", path, headers: headers.merging(["Content-Type": "application/json"]) { $1 }, body: JSONText.encode(json))
    }
}

enum JSONText {
    static func encode(_ json: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed])) ?? Data()
    }
}
