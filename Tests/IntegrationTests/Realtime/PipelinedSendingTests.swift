import Foundation
import Testing

extension RealtimeIntegration {
    @Suite("A client that sends without waiting")
    struct PipelinedSendingTests {
        /// Its next message is taken up while the last one commits, so a burst shares commits; the log, the
        /// broadcasts and the acks all keep the order it was sent in.
        @Test func aBurstCommitsTogetherAndKeepsItsOrder() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (hostSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (editorSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                let burst = 64
                let batchesBefore = try await Self.commitBatches(client)
                for number in 1...burst { editorSocket.send(["type": "chat_message", "content": "m\(number)", "ref": number]) }

                var ackedIDs: [Int64] = []
                for number in 1...burst {
                    let ack = try await editorSocket.next(type: "ack")
                    #expect(ack["ref"] as? Int == number)
                    ackedIDs.append(try #require((ack["id"] as? NSNumber)?.int64Value))
                }
                #expect(ackedIDs == ackedIDs.sorted() && Set(ackedIDs).count == burst, "\(ackedIDs)")
                for number in 1...burst {
                    let chat = try await hostSocket.next(type: "chat_message")
                    #expect((chat["message"] as? [String: Any])?["content"] as? String == "m\(number)")
                    #expect((chat["id"] as? NSNumber)?.int64Value == ackedIDs[number - 1])
                }
                let logged = try await client.collectPages(
                    "/api/sessions/\(room.sessionID)/messages", limit: 100, headers: room.host.bearer
                ).items.compactMap { $0["content"] as? String }
                #expect(logged == (1...burst).map { "m\($0)" })
                // One commit each would take `burst` batches.
                let batches = try await Self.commitBatches(client) - batchesBefore
                #expect(batches < burst, "\(batches) commits for \(burst) messages")
                await hostSocket.close()
                await editorSocket.close()
            }
        }

        /// Frames that read or change what an earlier one writes wait for it: an edit sent right after a delete
        /// finds the message deleted, and a cursor sent right after a chat reaches the room after the chat.
        @Test func framesThatDependOnEarlierOnesWaitForThem() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (hostSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (editorSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                for round in 1...10 {
                    editorSocket.send(["type": "chat_message", "content": "doomed \(round)", "ref": "post-\(round)"])
                    let posted = try await hostSocket.next(type: "chat_message") {
                        ($0["message"] as? [String: Any])?["content"] as? String == "doomed \(round)"
                    }
                    let messageID = try #require((posted["message"] as? [String: Any])?["id"] as? String)
                    editorSocket.send(["type": "delete_message", "message_id": messageID, "ref": "delete-\(round)"])
                    editorSocket.send(["type": "edit_message", "message_id": messageID, "content": "revived", "ref": "edit-\(round)"])
                    editorSocket.send(["type": "chat_message", "content": "then \(round)"])
                    editorSocket.send(["type": "cursor_update", "data": ["file": "a.swift", "line": round, "column": 1]])
                    #expect(try await editorSocket.next(type: "ack") { $0["ref"] as? String == "post-\(round)" }["id"] != nil)
                    #expect(try await editorSocket.next(type: "ack")["ref"] as? String == "delete-\(round)")
                    let refusal = try await editorSocket.next { $0["ref"] as? String == "edit-\(round)" }
                    #expect(refusal["type"] as? String == "error", "an edit after its message's deletion: \(refusal)")
                    let chatOrCursor = try await hostSocket.next { ["chat_message", "cursor_update"].contains($0["type"] as? String) }
                    #expect(chatOrCursor["type"] as? String == "chat_message", "the cursor overtook the chat before it")
                    _ = try await hostSocket.next(type: "cursor_update")
                }
                let log = try await client.collectPages("/api/sessions/\(room.sessionID)/events", limit: 200, headers: room.host.bearer).items
                #expect(!log.contains { $0["type"] as? String == "message_updated" }, "a deleted message was edited")
                await hostSocket.close()
                await editorSocket.close()
            }
        }

        /// A user back from silence is announced again (a write) before their first message is handled; that write is
        /// not the message's, so the burst behind it still keeps its order.
        @Test func aReturningUsersBurstKeepsItsOrder() async throws {
            try await withServer(environment: ["PRESENCE_STALE_SECONDS": "1"]) { server, client in
                let room = try await client.makeRoom()
                let (hostSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (editorSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                #expect(await hostSocket.awaitSilentDeparture(of: room.editor.id) != nil)
                let burst = 20
                for number in 1...burst { editorSocket.send(["type": "chat_message", "content": "r\(number)"]) }
                var heard: [String] = []
                for _ in 1...burst {
                    let chat = try await hostSocket.next(type: "chat_message")
                    heard.append((chat["message"] as? [String: Any])?["content"] as? String ?? "?")
                }
                #expect(heard == (1...burst).map { "r\($0)" })
                await hostSocket.close()
                await editorSocket.close()
            }
        }

        static func commitBatches(_ client: some APIClient) async throws -> Int {
            let samples = MetricsTests.samples(in: try await client.get("/metrics").text)
            return Int(try #require(samples["sessionhub_store_write_batch_size_count"]))
        }
    }
}
