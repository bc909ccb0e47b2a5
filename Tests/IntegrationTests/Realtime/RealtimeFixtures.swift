import Foundation
import Testing

/// The realtime suites, one at a time: each drives several live connections and some flood a server on purpose, and
/// on two cores running them side by side only measures the machine's patience. The time limit is a backstop: a
/// WebSocket client that never notices its connection ended fails its test instead of hanging the run.
@Suite(.serialized, .timeLimit(.minutes(3))) enum RealtimeIntegration {}

extension APIClient {
    /// Posts a chat message over REST and returns it.
    @discardableResult
    func chat(_ content: String, in sessionID: String, as user: TestAccount) async throws -> [String: Any] {
        let response = try await self.post("/api/sessions/\(sessionID)/messages", json: ["content": content], headers: user.bearer)
        try #require(response.status == 201, "post message: \(response.status) \(response.text)")
        return try #require(response.json)
    }
}

extension CurlClient {
    /// Opens an SSE stream of the session.
    func stream(_ sessionID: String, as user: TestAccount, headers: [String: String] = [:], query: String = "") -> SSEStream {
        SSEStream(url: self.baseURL + "/api/sessions/\(sessionID)/stream" + query, headers: user.bearer.merging(headers) { $1 })
    }
}

extension TestSocket {
    /// Keeps this connection talking (pings) until it hears that `userID` was dropped for silence
    /// (PRESENCE_STALE_SECONDS): the `user_left`, or nil if it never came.
    func awaitSilentDeparture(of userID: String) async -> [String: Any]? {
        for _ in 0..<100 {
            self.send(["type": "ping"])
            if let left = try? await self.next(type: "user_left", timeout: .milliseconds(100), where: { $0["user_id"] as? String == userID }) {
                return left
            }
        }
        return nil
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A frame's durable event id.
    var eventID: Int64? { (self["id"] as? NSNumber)?.int64Value }
    var messageContent: String? { (self["message"] as? [String: Any])?["content"] as? String }
}
