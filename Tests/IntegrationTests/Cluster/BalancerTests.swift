import Foundation
import Testing

extension RealtimeIntegration {
    /// Clients that know only the balancer's address: every request may land on either node.
    @Suite("Two nodes behind nginx")
    struct BalancerTests {
        @Test func theDeploymentGuideShowsTheConfigurationTestedHere() throws {
            let root = HTTPFoundationTests.repositoryRoot
            let configuration = try String(contentsOf: root.appendingPathComponent("deploy/nginx.conf"), encoding: .utf8)
            let guide = try String(contentsOf: root.appendingPathComponent("docs/deploy.md"), encoding: .utf8)
            #expect(guide.contains("```nginx\n" + configuration + "```"))
        }

        @Test(arguments: [false, true])
        func chatAndStreamsWorkThroughTheBalancer(sticky: Bool) async throws {
            try await withCluster { cluster in
                let nodes = [try await cluster.start(), try await cluster.start()]
                let balancer = try await Balancer(nodes: nodes, sticky: sticky)
                do {
                    let client = balancer.client
                    let room = try await client.makeRoom()
                    let stream = client.stream(room.sessionID, as: room.viewer)
                    _ = try await stream.next(event: "connected")
                    let (socket, _) = try await TestSocket.join(port: balancer.port, sessionID: room.sessionID, token: room.editor.accessToken)
                    for index in 0..<10 { try await client.chat("through nginx \(index)", in: room.sessionID, as: room.host) }
                    socket.send(["type": "chat_message", "content": "over the proxied WebSocket", "ref": 1])

                    let expected = (0..<10).map { "through nginx \($0)" } + ["over the proxied WebSocket"]
                    _ = try await stream.next(event: "chat_message") { $0.json.messageContent == expected.last }
                    _ = try await socket.next(type: "chat_message") { $0.messageContent == expected.last }
                    #expect(stream.events.filter { $0.event == "chat_message" }.compactMap(\.json.messageContent) == expected)
                    let overWebSocket = socket.frames.filter { $0["type"] as? String == "chat_message" }
                    #expect(overWebSocket.compactMap(\.messageContent) == expected)
                    #expect(overWebSocket.compactMap(\.eventID) == stream.events.filter { $0.event == "chat_message" }.compactMap(\.id))
                    if !sticky {
                        // Round robin: both nodes answered some of these requests.
                        for node in nodes { #expect(node.log.contains("\"path\":\"/api/sessions/\(room.sessionID)/messages\"")) }
                    }
                    stream.close()
                    await socket.close()
                    await balancer.stop()
                } catch {
                    await balancer.stop()
                    throw error
                }
            }
        }
    }
}
