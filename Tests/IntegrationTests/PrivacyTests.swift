import Foundation
import Testing

/// What users write stays with whom it was written for: direct messages, deleted and edited text, passwords.
@Suite("Privacy of what users write")
struct PrivacyTests {
    @Test func directMessagesStayOutOfOtherUsersEventLogAndReplay() async throws {
        try await withServer { server, client in
            let room = try await client.makeRoom()
            for index in 0..<3 {
                let sent = try await client.post(
                    "/api/sessions/\(room.sessionID)/actions",
                    json: ["type": "direct_message", "to_user_id": room.host.id, "content": "psst \(index)"], headers: room.editor.bearer
                )
                #expect(sent.status == 202, "\(sent.text)")
            }
            try await client.chat("for everyone", in: room.sessionID, as: room.host)
            let eventsPath = "/api/sessions/\(room.sessionID)/events"

            let viewerLog = try await client.get(eventsPath, headers: room.viewer.bearer)
            #expect(!viewerLog.text.contains("psst"))
            let onlyDirect = try await client.get("\(eventsPath)?type=direct_message", headers: room.viewer.bearer)
            #expect((onlyDirect.json?["items"] as? [Any])?.isEmpty == true)
            // Filtered where the page is made: paging one by one, no page comes back empty with a cursor.
            let paged = try await client.collectPages(eventsPath, limit: 1, headers: room.viewer.bearer)
            #expect(paged.pages == paged.items.count)
            #expect(paged.items.last?["type"] as? String == "chat_message")
            #expect(!paged.items.contains { $0["type"] as? String == "direct_message" })

            for party in [room.editor, room.host] {
                let direct = try #require(try await client.get("\(eventsPath)?type=direct_message", headers: party.bearer).json?["items"] as? [Any])
                #expect(direct.count == 3)
            }

            // Not even counted for others: the number's rhythm would tell who writes to whom.
            let analytics = try #require(try await client.get("/api/analytics/sessions/\(room.sessionID)", headers: room.viewer.bearer).json)
            #expect(analytics["events"] as? Int == paged.items.count)

            let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken, since: 0)
            _ = try await socket.next(type: "chat_message") { $0.messageContent == "for everyone" }
            #expect(!socket.frames.contains { $0["type"] as? String == "direct_message" })
            await socket.close()
        }
    }

    @Test func deletedTextIsGoneFromEveryEndpointAndReplay() async throws {
        try await withServer { server, client in
            let room = try await client.makeRoom()
            let secret = "the launch code is 0000"
            let id = try #require(try await client.chat(secret, in: room.sessionID, as: room.editor)["id"] as? String)
            let comment = try await client.post(
                room.messagesPath,
                json: ["type": "comment", "content": "\(secret) again", "file": "a.swift", "line": 1, "code_snippet": "let code = 0000"],
                headers: room.editor.bearer
            )
            let commentID = try #require(comment.json?["id"] as? String)
            #expect(
                try await client.patch("\(room.messagesPath)/\(id)", json: ["content": "\(secret), edited"], headers: room.editor.bearer).status
                    == 200)
            #expect(try await client.request("DELETE", "\(room.messagesPath)/\(id)", headers: room.editor.bearer).status == 204)
            #expect(try await client.request("DELETE", "\(room.messagesPath)/\(commentID)", headers: room.host.bearer).status == 204)

            for reader in [room.viewer, room.host, room.editor] {
                for path in ["/api/sessions/\(room.sessionID)/events?limit=200", room.messagesPath] {
                    let text = try await client.get(path, headers: reader.bearer).text
                    #expect(!text.contains("launch code") && !text.contains("let code"), "\(path): \(text)")
                }
            }
            let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken, since: 0)
            _ = try await socket.next(type: "message_deleted") { $0["message_id"] as? String == commentID }
            let replayed = socket.frames.compactMap { try? JSONSerialization.data(withJSONObject: $0) }.map { String(decoding: $0, as: UTF8.self) }
            #expect(!replayed.contains { $0.contains("launch code") || $0.contains("let code") }, "\(replayed)")
            await socket.close()
        }
    }

    @Test func afterAnEditOnlyTheCurrentTextIsServed() async throws {
        try await withServer { server, client in
            let room = try await client.makeRoom()
            let id = try #require(try await client.chat("first draft", in: room.sessionID, as: room.editor)["id"] as? String)
            for text in ["second draft", "final text"] {
                #expect(try await client.patch("\(room.messagesPath)/\(id)", json: ["content": text], headers: room.editor.bearer).status == 200)
            }
            let log = try await client.get("/api/sessions/\(room.sessionID)/events", headers: room.viewer.bearer)
            #expect(!log.text.contains("first draft") && !log.text.contains("second draft"), "\(log.text)")
            #expect(log.text.contains("final text"))
            let (socket, _) = try await TestSocket.join(port: server.port, sessionID: room.sessionID, token: room.viewer.accessToken, since: 0)
            let updates = [try await socket.next(type: "message_updated"), try await socket.next(type: "message_updated")]
            #expect(updates.map(\.messageContent) == ["final text", "final text"])
            #expect(try await socket.next(type: "chat_message").messageContent == "final text")
            await socket.close()
        }
    }

    @Test func passwordsWithControlCharactersAreRefusedAndNeverTruncated() async throws {
        try await withServer { _, client in
            for password in ["\u{0000}aaaaaaa", "a\u{0000}bbbbbbb", "tab\tin-the-middle", "line\nbreak-here"] {
                let response = try await client.post(
                    "/api/auth/register",
                    json: [
                        "email": "nul\(UUID().uuidString.prefix(6))@example.com", "username": "nul_\(UUID().uuidString.prefix(6))",
                        "password": password,
                    ]
                )
                #expect(response.status == 422, "\(password.debugDescription): \(response.text)")
                #expect((response.json?["errors"] as? [[String: Any]])?.first?["field"] as? String == "password")
            }
            let user = try await client.registerAndLogin(password: "correct-horse-1")
            // Refused before bcrypt, as text no field may hold (see SessionTests): never a login.
            for attempt in ["correct-horse-1\u{0000}zzzzzzz", "correct-horse-1\u{0000}", "\u{0000}"] {
                let login = try await client.post("/api/auth/login", json: ["username": user.username, "password": attempt])
                #expect(login.status == 422, "\(attempt.debugDescription): \(login.text)")
                #expect((login.json?["errors"] as? [[String: Any]])?.first?["field"] as? String == "password")
            }
            let change = try await client.patch(
                "/api/auth/me", json: ["current_password": "correct-horse-1", "new_password": "x\u{0000}yyyyyyyy"], headers: user.bearer
            )
            #expect(change.status == 422, "\(change.text)")
        }
    }
}
