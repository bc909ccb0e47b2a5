import Foundation
import Testing

extension RealtimeIntegration {
    @Suite("Resume without loss, on both transports and across a restart")
    struct ResumeTests {
        /// Ids of the chat messages among frames, in the order received.
        static func chatIDs(_ frames: [[String: Any]]) -> [Int64] {
            frames.filter { $0["type"] as? String == "chat_message" }.compactMap(\.eventID)
        }

        @Test func aWebSocketResumesWithExactlyTheMissedEvents() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (watcher, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                for index in 0..<3 { try await client.chat("before \(index)", in: room.sessionID, as: room.host) }
                for _ in 0..<3 { _ = try await watcher.next(type: "chat_message") }
                let lastSeen = try #require(Self.chatIDs(watcher.frames).last)
                await watcher.close()

                for index in 0..<250 { try await client.chat("missed \(index)", in: room.sessionID, as: room.host) }
                let (resumed, connected) = try await TestSocket.join(
                    port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken, since: lastSeen)
                #expect((connected["last_event_id"] as? NSNumber)?.int64Value ?? 0 > lastSeen)
                // Live messages written while the replay runs must follow it without a gap or a repeat.
                for index in 0..<5 { try await client.chat("live \(index)", in: room.sessionID, as: room.host) }
                _ = try await resumed.next(type: "chat_message") { $0.messageContent == "live 4" }
                let received = resumed.frames.filter { $0["type"] as? String == "chat_message" }
                #expect(received.compactMap(\.messageContent) == (0..<250).map { "missed \($0)" } + (0..<5).map { "live \($0)" })
                let ids = Self.chatIDs(received)
                #expect(ids == ids.sorted() && Set(ids).count == ids.count && ids.allSatisfy { $0 > lastSeen })
                await resumed.close()
            }
        }

        @Test func anSSEClientResumesWithLastEventID() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let first = client.stream(room.sessionID, as: room.viewer)
                _ = try await first.next(event: "connected")
                try await client.chat("one", in: room.sessionID, as: room.host)
                let seen = try await first.next(event: "chat_message")
                first.close()
                try await client.chat("two", in: room.sessionID, as: room.host)
                try await client.chat("three", in: room.sessionID, as: room.host)

                let second = client.stream(room.sessionID, as: room.viewer, headers: ["Last-Event-ID": String(try #require(seen.id))])
                let two = try await second.next(event: "chat_message")
                let three = try await second.next(event: "chat_message")
                #expect([two.json.messageContent, three.json.messageContent] == ["two", "three"])
                // Whatever came twice would arrive before this one.
                try await client.chat("four", in: room.sessionID, as: room.host)
                _ = try await second.next(event: "chat_message") { $0.json.messageContent == "four" }
                #expect(second.events.filter { $0.event == "chat_message" }.map(\.json.messageContent) == ["two", "three", "four"])
                second.close()

                // `?since=` is the same resume for clients that cannot set the header (a browser's EventSource).
                let third = client.stream(room.sessionID, as: room.viewer, query: "?since=\(try #require(seen.id))")
                _ = try await third.next(event: "chat_message") { $0.json.messageContent == "four" }
                #expect(third.events.filter { $0.event == "chat_message" }.map(\.json.messageContent) == ["two", "three", "four"])
                third.close()
            }
        }

        @Test func resumingAfterARestartReplaysFromTheStoredLog() async throws {
            let folder = try ServerProcess.makeFolder()
            let (room, lastSeen) = try await withServer(folder: folder) { server, client in
                let room = try await client.makeRoom()
                let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                try await client.chat("before the restart", in: room.sessionID, as: room.host)
                let seen = try #require(try await socket.next(type: "chat_message").eventID)
                await socket.close()
                try await client.chat("missed across the restart", in: room.sessionID, as: room.host)
                return (room, seen)
            }
            try await withServer(folder: folder) { server, client in
                // Tokens survive the restart too: the secret was generated into the data folder.
                let (socket, _) = try await TestSocket.join(
                    port: server.port, sessionID: room.sessionID, token: room.editor.accessToken, since: lastSeen)
                let missed = try await socket.next(type: "chat_message")
                #expect(missed.messageContent == "missed across the restart")
                #expect(missed.eventID ?? 0 > lastSeen)
                try await client.chat("after the restart", in: room.sessionID, as: room.host)
                #expect(try await socket.next(type: "chat_message").messageContent == "after the restart")
                #expect(Self.chatIDs(socket.frames).count == 2)
                await socket.close()
            }
        }
    }
}
