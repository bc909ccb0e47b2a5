import Foundation
import Synchronization
import Testing

extension RealtimeIntegration {
    @Suite("kill -9 under load")
    struct CrashRecoveryTests {
        /// What the writers were told was stored: REST message ids (201) and WebSocket acks (event id and text).
        final class Acknowledged: Sendable {
            private let state = Mutex<(messageIDs: [String], events: [Int64: String])>(([], [:]))
            func stored(messageID: String) { self.state.withLock { $0.messageIDs.append(messageID) } }
            func stored(eventID: Int64, content: String) { self.state.withLock { $0.events[eventID] = content } }
            var messageIDs: [String] { self.state.withLock { $0.messageIDs } }
            var events: [Int64: String] { self.state.withLock { $0.events } }
            var count: Int { self.state.withLock { $0.messageIDs.count + $0.events.count } }
        }

        @Test func everyAcknowledgedWriteSurvivesAndResumeSkipsNothing() async throws {
            let folder = try ServerProcess.makeFolder()
            let setup = try await ServerProcess(folder: folder)
            let room = try await setup.client.makeRoom()
            await setup.stop()
            var lastSeen: Int64 = 0
            for round in 0..<3 {
                let server = try await ServerProcess(folder: folder)
                let acknowledged = Acknowledged()
                let (watcher, _) = try await TestSocket.join(
                    port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken, since: lastSeen)
                let writers = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for writer in 0..<3 {
                            group.addTask {
                                await Self.postOverREST(
                                    server.client, room: room, as: writer == 0 ? room.host : room.editor, tag: "r\(round)-\(writer)",
                                    into: acknowledged)
                            }
                        }
                        for writer in 0..<2 {
                            group.addTask {
                                await Self.chatOverWebSocket(port: server.port, room: room, tag: "w\(round)-\(writer)", into: acknowledged)
                            }
                        }
                    }
                }
                // Kill in the middle of the load, once plenty has been acknowledged.
                try await eventually { acknowledged.count >= 150 ? true : nil }
                await server.killAbruptly()
                writers.cancel()
                await writers.value
                let seenBeforeTheKill = watcher.frames.compactMap(\.eventID)
                #expect(seenBeforeTheKill == seenBeforeTheKill.sorted() && Set(seenBeforeTheKill).count == seenBeforeTheKill.count)
                lastSeen = seenBeforeTheKill.last ?? lastSeen
                await watcher.close()

                let restarted = try await ServerProcess(folder: folder)
                let client = restarted.client
                let messages = try await client.collectPages(room.messagesPath, limit: 200, headers: room.host.bearer).items
                let storedIDs = messages.compactMap { $0["id"] as? String }
                for id in acknowledged.messageIDs { #expect(storedIDs.filter { $0 == id }.count == 1, "message \(id) after round \(round)") }
                let log = try await client.collectPages("/api/sessions/\(room.sessionID)/events", limit: 200, headers: room.host.bearer).items
                let logged = Dictionary(uniqueKeysWithValues: log.map { (($0["id"] as? NSNumber)?.int64Value ?? 0, $0) })
                for (id, content) in acknowledged.events {
                    let message = (logged[id]?["data"] as? [String: Any])?["message"] as? [String: Any]
                    #expect(message?["content"] as? String == content, "event \(id) after round \(round)")
                }
                // Resuming from the last id seen before the kill gives exactly the log's later events, in order: those the
                // watcher missed before the kill, and some written after the restart.
                for index in 0..<3 { try await client.chat("after restart \(round)-\(index)", in: room.sessionID, as: room.host) }
                let logNow = try await client.collectPages("/api/sessions/\(room.sessionID)/events", limit: 200, headers: room.host.bearer).items
                let expected = logNow.compactMap { ($0["id"] as? NSNumber)?.int64Value }.filter { $0 > lastSeen }
                let (resumed, _) = try await TestSocket.join(
                    port: restarted.port, sessionID: room.sessionID, token: room.viewer.accessToken, since: lastSeen)
                let newest = try #require(expected.last)
                _ = try await resumed.next(timeout: .seconds(30)) { $0.eventID == newest }
                // (Its own arrival may follow: the log was read before it connected.)
                #expect(resumed.frames.compactMap(\.eventID).filter { $0 <= newest } == expected)
                lastSeen = newest
                await resumed.close()
                await restarted.stop()
            }
        }

        private static func postOverREST(
            _ client: CurlClient, room: CollaborationRoom, as user: TestAccount, tag: String, into acknowledged: Acknowledged
        ) async {
            var index = 0
            while !Task.isCancelled {
                let content = "\(tag)-\(index)"
                guard let response = try? await client.post(room.messagesPath, json: ["content": content], headers: user.bearer),
                    response.status == 201, let id = response.json?["id"] as? String
                else { return }
                acknowledged.stored(messageID: id)
                index += 1
            }
        }

        private static func chatOverWebSocket(port: Int, room: CollaborationRoom, tag: String, into acknowledged: Acknowledged) async {
            guard let (socket, _) = try? await TestSocket.join(port: port, sessionID: room.sessionID, token: room.editor.accessToken) else { return }
            var index = 0
            while !Task.isCancelled {
                let (content, ref) = ("\(tag)-\(index)", index)
                socket.send(["type": "chat_message", "content": content, "ref": ref])
                guard let ack = try? await socket.next(type: "ack", where: { ($0["ref"] as? Int) == ref }), let id = ack.eventID else { break }
                acknowledged.stored(eventID: id, content: content)
                index += 1
            }
            await socket.close()
        }
    }
}
