import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import WebSocketClient

struct BenchUser: Sendable {
    let id: String
    let username: String
    let token: String
}

/// What every workload needs: the servers (one, or the nodes of a cluster), the client's event loops, and a pool of
/// registered users.
struct Workbench: Sendable {
    let servers: [ServerUnderTest]
    let storesInPostgres: Bool
    let group: MultiThreadedEventLoopGroup
    let users: [BenchUser]
    /// Connections opened at once while a workload sets up.
    static let connectWidth = 64

    /// The first node: REST calls and publishers go there.
    var server: ServerUnderTest { self.servers[0] }
    var endpoint: Endpoint { self.server.endpoint }
    var owner: BenchUser { self.users[0] }

    /// Registers and signs in `count` users (plus the owner of the sessions), `width` at a time.
    static func prepare(
        servers: [ServerUnderTest], storesInPostgres: Bool, group: MultiThreadedEventLoopGroup, users count: Int
    ) async throws -> Workbench {
        let server = servers[0]
        let run = String(UUID().uuidString.prefix(6)).lowercased()
        let users = try await concurrentMap(Array(0...count), width: 16) { index in
            let connection = try await HTTPConnection.connect(to: server.endpoint, group: group)
            defer { Task { await connection.close() } }
            let name = "b\(run)-\(index)"
            let registered = try await connection.expect(
                .POST, "/api/auth/register",
                json: #"{"email": "\#(name)@bench.example", "username": "\#(name)", "password": "bench-password"}"#
            )
            let login = try await connection.expect(.POST, "/api/auth/login", json: #"{"username": "\#(name)", "password": "bench-password"}"#)
            return BenchUser(id: try Self.field("id", in: registered), username: name, token: try Self.field("access_token", in: login))
        }
        return Workbench(servers: servers, storesInPostgres: storesInPostgres, group: group, users: users)
    }

    /// A public session of the owner: every benchmark user may watch it without being added.
    func createSession(named name: String) async throws -> String {
        let connection = try await HTTPConnection.connect(to: self.endpoint, group: self.group)
        defer { Task { await connection.close() } }
        let response = try await connection.expect(
            .POST, "/api/sessions", token: self.owner.token,
            json: #"{"type": "claude_code", "project_name": "\#(name)", "visibility": "public"}"#
        )
        return try Self.field("id", in: response)
    }

    /// A subscriber's connection, on the node `node` (of any number: they take turns).
    func webSocket(_ user: BenchUser, sessionID: String, receiver: Receiver, node: Int = 0) async throws -> WebSocketConnection {
        try await WebSocketConnection.connect(
            to: self.servers[node % self.servers.count].endpoint, path: "/ws/session/\(sessionID)?token=\(user.token)", receiver: receiver,
            group: self.group
        )
    }

    func eventStream(_ user: BenchUser, sessionID: String, receiver: Receiver, node: Int = 0) async throws -> SSEConnection {
        try await SSEConnection.connect(
            to: self.servers[node % self.servers.count].endpoint, path: "/api/sessions/\(sessionID)/stream", token: user.token, receiver: receiver,
            group: self.group
        )
    }

    static func field(_ name: String, in response: HTTPResponse) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any]
        guard let value = object?[name] as? String else { throw BenchError("no \(name) in \(response.text)") }
        return value
    }
}

/// Either transport of a subscriber, closed alike.
enum Subscription: Sendable {
    case webSocket(WebSocketConnection)
    case sse(SSEConnection)

    func close() async {
        switch self {
        case .webSocket(let connection): await connection.close()
        case .sse(let connection): await connection.close()
        }
    }
}

/// `body` over every item, at most `width` at a time; results in the items' order.
func concurrentMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], width: Int, _ body: @escaping @Sendable (Item) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: items.count)
        var next = 0
        while next < min(width, items.count) {
            let (index, item) = (next, items[next])
            group.addTask { (index, try await body(item)) }
            next += 1
        }
        while let (index, result) = try await group.next() {
            results[index] = result
            if next < items.count {
                let (index, item) = (next, items[next])
                group.addTask { (index, try await body(item)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}

/// Polls `value` every 10 ms until it reaches `target`; gives up when it has not grown for `stall` (a server or
/// client that fell over) or after `limit`. Returns whether it got there.
func wait(for target: Int, of value: () -> Int, stallingAfter stall: Duration = .seconds(10), upTo limit: Duration) async -> Bool {
    let deadline = ContinuousClock.now + limit
    var (last, lastChange) = (value(), ContinuousClock.now)
    while last < target {
        let now = ContinuousClock.now
        guard now < deadline, lastChange.duration(to: now) < stall else { return false }
        try? await Task.sleep(for: .milliseconds(10))
        let current = value()
        if current != last { (last, lastChange) = (current, .now) }
    }
    return true
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func wait(upTo timeout: Duration, until condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}
