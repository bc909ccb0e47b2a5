import Foundation
import Testing

extension APIClient {
    /// Creates a session as `owner` and returns its id.
    func createSession(as owner: TestAccount, _ fields: [String: Any] = [:]) async throws -> String {
        let response = try await self.post("/api/sessions", json: ["type": "claude_code"].merging(fields) { $1 }, headers: owner.bearer)
        try #require(response.status == 201, "create session: \(response.status) \(response.text)")
        return try #require(response.json?["id"] as? String)
    }

    /// Invites `user` into the session with `role` as `host`.
    func invite(_ user: TestAccount, as role: String, to sessionID: String, by host: TestAccount) async throws {
        let response = try await self.post(
            "/api/sessions/\(sessionID)/participants",
            json: ["username": user.username, "role": role],
            headers: host.bearer
        )
        try #require(response.status == 201, "invite: \(response.status) \(response.text)")
    }

    /// Follows `next_cursor` through every page of a list and returns all items.
    func collectPages(_ path: String, limit: Int, headers: [String: String]) async throws -> (items: [[String: Any]], pages: Int) {
        var items: [[String: Any]] = []
        var cursor: String?
        var pages = 0
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let query = "\(separator)limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let response = try await self.get(path + query, headers: headers)
            try #require(response.status == 200, "\(path): \(response.status) \(response.text)")
            let page = try #require(response.json)
            items += try #require(page["items"] as? [[String: Any]])
            cursor = page["next_cursor"] as? String
            pages += 1
        } while cursor != nil && pages < 100
        return (items, pages)
    }
}

/// A session with a host, an editor and a viewer.
struct CollaborationRoom: Sendable {
    let sessionID: String
    let host: TestAccount
    let editor: TestAccount
    let viewer: TestAccount

    var messagesPath: String { "/api/sessions/\(self.sessionID)/messages" }
}

extension APIClient {
    func makeRoom() async throws -> CollaborationRoom {
        let host = try await self.registerAndLogin(prefix: "host")
        let editor = try await self.registerAndLogin(prefix: "editor")
        let viewer = try await self.registerAndLogin(prefix: "viewer")
        let sessionID = try await self.createSession(as: host)
        try await self.invite(editor, as: "editor", to: sessionID, by: host)
        try await self.invite(viewer, as: "viewer", to: sessionID, by: host)
        return CollaborationRoom(sessionID: sessionID, host: host, editor: editor, viewer: viewer)
    }
}
