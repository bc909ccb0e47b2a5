import Foundation
import Testing

extension RealtimeIntegration {
    /// Arrivals at once are announced a window at a time (`users_joined`); nobody may miss anyone for it.
    @Suite("Presence: a connect storm")
    struct ConnectStormTests {
        static let visitors = 12

        /// Who a connection was told is present: its `connected`, then every join after it.
        static func knownUsers(in frames: [[String: Any]]) -> Set<String> {
            var known: Set<String> = []
            for frame in frames {
                let users: [Any] =
                    switch frame["type"] as? String {
                    case "connected": (frame["users"] as? [Any] ?? []) + [frame["user"] as Any]
                    case "user_joined": [frame["user"] as Any]
                    case "users_joined": frame["users"] as? [Any] ?? []
                    default: []
                    }
                known.formUnion(users.compactMap { ($0 as? [String: Any])?["user_id"] as? String })
            }
            return known
        }

        /// A window long enough that the visitors after the first all fall into it, however slow the machine.
        @Test func everyoneWhoConnectsAtOnceLearnsOfEveryoneElseInOneBatch() async throws {
            try await withServer(environment: ["PRESENCE_JOIN_WINDOW_MS": "2000"]) { server, client in
                let host = try await client.registerAndLogin(prefix: "host")
                let sessionID = try await client.createSession(as: host, ["visibility": "public"])
                var visitors: [TestAccount] = []
                for _ in 0..<Self.visitors { visitors.append(try await client.registerAndLogin(prefix: "visitor")) }
                let everyone = Set(visitors.map(\.id))

                // The first opens the window; the others arrive within it, all at once.
                let (first, _) = try await TestSocket.join(port: server.port, sessionID: sessionID, token: visitors[0].accessToken)
                let (port, tokens) = (server.port, visitors.dropFirst().map(\.accessToken))
                let others = try await withThrowingTaskGroup(of: TestSocket.self, returning: [TestSocket].self) { group in
                    for token in tokens {
                        group.addTask {
                            let (socket, _) = try await TestSocket.join(port: port, sessionID: sessionID, token: token)
                            return socket
                        }
                    }
                    var joined: [TestSocket] = []
                    for try await socket in group { joined.append(socket) }
                    return joined
                }
                let sockets = [first] + others
                for socket in sockets {
                    _ = try await eventually(within: .seconds(10)) { Self.knownUsers(in: socket.frames).isSuperset(of: everyone) ? true : nil }
                }
                // The others arrived within the first's window: they reach it in a batch (two, were the machine slow
                // enough to spread them past the window's end), never one frame each.
                let batch = try await first.next(type: "users_joined")
                #expect(batch["id"] == nil && batch["session_id"] as? String == sessionID, "visitors' arrivals are not logged")
                let joins = first.frames.filter { ["user_joined", "users_joined"].contains($0["type"] as? String) }
                #expect(joins.count <= 2, "\(joins.count) frames announced the others")
                #expect(Self.knownUsers(in: joins) == everyone.subtracting([visitors[0].id]), "the first hears of all the others")
                for socket in sockets { await socket.close() }
            }
        }
    }
}
