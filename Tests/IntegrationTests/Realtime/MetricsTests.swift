import Foundation
import Testing

extension RealtimeIntegration {
    @Suite("GET /metrics: Prometheus text of HTTP, hub and store figures")
    struct MetricsTests {
        @Test func countsRequestsConnectionsDeliveriesAndGroupCommits() async throws {
            try await withServer { server, client in
                let room = try await client.makeRoom()
                let (hostSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (editorSocket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.editor.accessToken)
                editorSocket.send(["type": "chat_message", "content": "measured", "ref": 1])
                _ = try await editorSocket.next(type: "ack")
                _ = try await hostSocket.next(type: "chat_message")
                #expect(try await client.get("/api/sessions/\(UUID().uuidString.lowercased())", headers: room.host.bearer).status == 404)

                #expect((try await client.get("/").json?["links"] as? [String: String])?["metrics"] == "/metrics")
                let response = try await client.get("/metrics")
                #expect(response.status == 200)
                #expect(response.headers["content-type"]?.hasPrefix("text/plain") == true)
                let samples = Self.samples(in: response.text)
                #expect(samples[#"sessionhub_connections{transport="websocket"}"#] == 2)
                #expect(samples[#"sessionhub_connections{transport="sse"}"#] == 0)
                #expect(samples["sessionhub_rooms"] == 1)
                #expect(samples["sessionhub_client_messages_total"] == 1)
                // The chat plus both joins and the invitations, all through the store's group commit.
                #expect((samples["sessionhub_events_published_total"] ?? 0) >= 5)
                #expect((samples["sessionhub_frames_delivered_total"] ?? 0) >= 2)
                #expect((samples["sessionhub_delivery_latency_seconds_count"] ?? 0) >= 2)
                #expect((samples["sessionhub_store_write_batch_size_count"] ?? 0) >= 1)
                #expect((samples["sessionhub_store_write_batch_duration_seconds_count"] ?? 0) >= 1)
                let notFound = samples.first {
                    $0.key.hasPrefix("http_server_requests_total{") && $0.key.contains(#"http_route="/api/sessions/{session_id}""#)
                        && $0.key.contains(#"http_response_status_code="404""#)
                }
                #expect(notFound?.value == 1, "no 404 counted for the session route:\n\(response.text)")
                #expect(samples.keys.contains { $0.hasPrefix("http_server_request_duration_seconds_bucket{") })
                await hostSocket.close()
                await editorSocket.close()
            }
        }

        /// Sample lines (`name{labels} value`) by name and labels; comments skipped.
        static func samples(in text: String) -> [String: Double] {
            var samples: [String: Double] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                samples[String(line[..<space])] = value
            }
            return samples
        }
    }
}
