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

        static func commitBatches(_ client: some APIClient) async throws -> Int {
            let samples = MetricsTests.samples(in: try await client.get("/metrics").text)
            return Int(try #require(samples["sessionhub_store_write_batch_size_count"]))
        }
    }
}
