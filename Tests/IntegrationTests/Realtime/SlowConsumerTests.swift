import Foundation
import Testing

extension RealtimeIntegration {
    @Suite("Slow consumers and stale presence")
    struct SlowConsumerTests {
        @Test func aStalledSubscriberIsClosedWithoutDelayingTheRoom() async throws {
            try await withServer(environment: ["SUBSCRIBER_QUEUE_EVENTS": "20", "RATE_LIMIT_PER_MINUTE": "100000"]) { server, client in
                let room = try await client.makeRoom()
                let path = "/ws/session/\(room.sessionID)?token=\(room.viewer.accessToken)"
                let stalled = TestSocket(port: server.port, path: path, reading: false)
                let (reader, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)

                // 10 MB of messages: more than the socket buffers between the server and the stalled client hold, so
                // its writes block and its queue grows past 20.
                let text = String(repeating: "z", count: 9990)
                // Ten writers at once: the store commits their messages in groups, ten times sooner than one by one.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for lane in 0..<10 {
                        group.addTask {
                            for index in 0..<100 { try await client.chat("\(lane * 100 + index) \(text)", in: room.sessionID, as: room.host) }
                        }
                    }
                    try await group.waitForAll()
                }

                let chats = { reader.frames.filter { $0["type"] as? String == "chat_message" }.count }
                _ = try await eventually(within: .seconds(20)) { chats() >= 1000 ? true : nil }
                #expect(chats() == 1000)
                #expect(try await client.get("/ws/stats").json?["slow_consumer_closes"] as? Int == 1)
                // The stalled client cannot even take its close frame: after a grace period its connection is cut.
                _ = try await eventually {
                    (try await client.get("/ws/stats").json?["connections"] as? [String: Any])?["websocket"] as? Int == 1 ? true : nil
                }
                await reader.close()
                await stalled.close()
            }
        }

        @Test func silentUsersAreAnnouncedAsLeftAndReturnWhenHeardFrom() async throws {
            try await withServer(environment: ["PRESENCE_STALE_SECONDS": "1"]) { server, client in
                let room = try await client.makeRoom()
                let (watcher, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (silent, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                // The watcher keeps talking; the other user says nothing.
                #expect(await watcher.awaitSilentDeparture(of: room.viewer.id) != nil)
                let present = try await client.get("/api/sessions/\(room.sessionID)/presence", headers: room.host.bearer)
                #expect((present.json?["items"] as? [[String: Any]])?.map { $0["user_id"] as? String } == [room.host.id])

                silent.send(["type": "presence_update", "status": "active"])
                let back = try await watcher.next(type: "user_joined") { ($0["user"] as? [String: Any])?["user_id"] as? String == room.viewer.id }
                #expect(back.eventID != nil)
                await watcher.close()
                await silent.close()
            }
        }
    }
}
