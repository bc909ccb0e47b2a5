import Foundation
import Synchronization
import Testing

extension RealtimeIntegration {
    /// Two nodes on one PostgreSQL behave as one: the same events with the same ids everywhere, resume on any node,
    /// one presence, nothing acknowledged lost when a node dies.
    @Suite("Several nodes on one PostgreSQL")
    struct ClusterTests {
        static func chats(_ frames: [[String: Any]]) -> [String: Int64] {
            Dictionary(
                frames.filter { $0["type"] as? String == "chat_message" }.compactMap { frame in frame.messageContent.map { ($0, frame.eventID ?? -1) }
                }
            ) { first, _ in first }
        }

        @Test func eventsFromEitherNodeReachEverySubscriberWithTheSameIDs() async throws {
            try await withCluster { cluster in
                let (a, b) = (try await cluster.start(), try await cluster.start())
                // Registered on A, used on B: the nodes share the key they generated.
                let room = try await a.client.makeRoom()
                let (viewerOnB, _) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                let sseOnB = b.client.stream(room.sessionID, as: room.editor)
                _ = try await sseOnB.next(event: "connected")
                let (editorOnA, _) = try await TestSocket.join(port: a.port, sessionID: room.sessionID, token: room.editor.accessToken)
                let (hostOnA, _) = try await TestSocket.join(port: a.port, sessionID: room.sessionID, token: room.host.accessToken)

                try await a.client.chat("REST on A", in: room.sessionID, as: room.host)
                hostOnA.send(["type": "chat_message", "content": "WebSocket on A", "ref": 1])
                _ = try await hostOnA.next(type: "ack")
                try await b.client.chat("REST on B", in: room.sessionID, as: room.host)

                let expected: Set = ["REST on A", "WebSocket on A", "REST on B"]
                for socket in [viewerOnB, editorOnA] {
                    for content in expected { _ = try await socket.next(type: "chat_message") { $0.messageContent == content } }
                }
                for content in expected { _ = try await sseOnB.next(event: "chat_message") { $0.json.messageContent == content } }
                let ids = Self.chats(viewerOnB.frames)
                #expect(Set(ids.keys) == expected)
                #expect(Self.chats(editorOnA.frames) == ids)
                #expect(Self.chats(sseOnB.events.map(\.json)) == ids)
                #expect(Set(sseOnB.events.filter { $0.event == "chat_message" }.compactMap(\.id)) == Set(ids.values))
                for socket in [viewerOnB, editorOnA, hostOnA] { await socket.close() }
                sseOnB.close()
            }
        }

        @Test func liveFramesAndAccessChangesCrossToTheOtherNode() async throws {
            try await withCluster { cluster in
                let (a, b) = (try await cluster.start(), try await cluster.start())
                let room = try await a.client.makeRoom()
                let (hostOnA, _) = try await TestSocket.join(port: a.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (viewerOnB, _) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                let (editorOnB, _) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.editor.accessToken)

                // Cursors and statuses are never stored: they cross in the notification itself.
                hostOnA.send(["type": "cursor_update", "data": ["file": "main.py", "line": 42, "column": 10]])
                let cursor = try await viewerOnB.next(type: "cursor_update")
                #expect(cursor["user_id"] as? String == room.host.id)
                #expect((cursor["cursor"] as? [String: Any])?["line"] as? Int == 42)
                hostOnA.send(["type": "viewport_update", "data": ["file": "main.py", "start_line": 30, "end_line": 70]])
                let viewport = try await viewerOnB.next(type: "viewport_update")
                #expect((viewport["viewport"] as? [String: Any])?["end_line"] as? Int == 70)
                hostOnA.send(["type": "presence_update", "status": "away"])
                _ = try await viewerOnB.next(type: "presence_update") { $0["status"] as? String == "away" }
                // B's presence shows what A heard, within a heartbeat.
                _ = try await eventually {
                    let present = try await b.client.get("/api/sessions/\(room.sessionID)/presence?file=main.py", headers: room.viewer.bearer)
                    let items = present.json?["items"] as? [[String: Any]] ?? []
                    return items.first?["user_id"] as? String == room.host.id && items.first?["status"] as? String == "away" ? true : nil
                }

                // Removed on A: closed on B.
                let removed = try await a.client.request(
                    "DELETE", "/api/sessions/\(room.sessionID)/participants/\(room.viewer.id)", headers: room.host.bearer)
                #expect(removed.status == 204, "\(removed.status) \(removed.text)")
                #expect(try await viewerOnB.closeCode() == 4403)
                // Deleted on A: closed on B.
                #expect(try await a.client.request("DELETE", "/api/sessions/\(room.sessionID)", headers: room.host.bearer).status == 204)
                #expect(try await editorOnB.closeCode() == 4404)
                await hostOnA.close()
            }
        }

        enum AccessLoss: String, CaseIterable {
            case madePrivate, removedFromTeam, teamDeleted
        }

        /// Each way a team member loses a team's session, done on A, ends their connections on B.
        @Test(arguments: AccessLoss.allCases)
        func accessLostOnOneNodeEndsConnectionsOnTheOther(_ loss: AccessLoss) async throws {
            try await withCluster { cluster in
                let (a, b) = (try await cluster.start(), try await cluster.start())
                let lead = try await a.client.registerAndLogin(prefix: "lead")
                let member = try await a.client.registerAndLogin(prefix: "member")
                let teamID = try #require(
                    try await a.client.post("/api/teams", json: ["name": "Watchers"], headers: lead.bearer).json?["id"] as? String)
                let added = try await a.client.post(
                    "/api/teams/\(teamID)/members", json: ["user_id": member.id, "role": "member"], headers: lead.bearer)
                #expect(added.status == 201)
                let sessionID = try await a.client.createSession(as: lead, ["team_id": teamID, "visibility": "team"])
                let (socket, _) = try await TestSocket.join(port: b.port, sessionID: sessionID, token: member.accessToken)
                let stream = b.client.stream(sessionID, as: member)
                _ = try await stream.next(event: "connected")

                let change: HTTPResult
                switch loss {
                case .madePrivate:
                    change = try await a.client.patch("/api/sessions/\(sessionID)", json: ["visibility": "private"], headers: lead.bearer)
                case .removedFromTeam:
                    change = try await a.client.request("DELETE", "/api/teams/\(teamID)/members/\(member.id)", headers: lead.bearer)
                case .teamDeleted: change = try await a.client.request("DELETE", "/api/teams/\(teamID)", headers: lead.bearer)
                }
                #expect([200, 204].contains(change.status), "\(change.status) \(change.text)")
                #expect(try await socket.closeCode() == 4403)
                _ = try await stream.next(event: "error") { $0.json["error_code"] as? String == "ACCESS_REVOKED" }
                _ = try await eventually { stream.isFinished ? true : nil }
            }
        }

        /// A role changed on A takes effect at once for the user's connection on B.
        @Test func aRoleChangedOnOneNodeHoldsOnTheOther() async throws {
            try await withCluster { cluster in
                let (a, b) = (try await cluster.start(), try await cluster.start())
                let room = try await a.client.makeRoom()
                let (editorOnB, _) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.editor.accessToken)
                let demoted = try await a.client.patch(
                    "/api/sessions/\(room.sessionID)/participants/\(room.editor.id)", json: ["role": "viewer"], headers: room.host.bearer)
                #expect(demoted.status == 200)
                _ = try await editorOnB.next(type: "participant_updated") { $0["role"] as? String == "viewer" }
                editorOnB.send(["type": "chat_message", "content": "still an editor?"])
                #expect(try await editorOnB.next(type: "error")["error_code"] as? String == "PERMISSION_DENIED")
                await editorOnB.close()
            }
        }

        @Test func aClientResumesOnTheOtherNodeWithExactlyWhatItMissed() async throws {
            try await withCluster { cluster in
                let (a, b) = (try await cluster.start(), try await cluster.start())
                let room = try await a.client.makeRoom()
                let first = a.client.stream(room.sessionID, as: room.viewer)
                _ = try await first.next(event: "connected")
                try await a.client.chat("before", in: room.sessionID, as: room.host)
                let lastSeen = try #require(try await first.next(event: "chat_message").id)
                first.close()

                for index in 0..<20 { try await a.client.chat("missed \(index)", in: room.sessionID, as: room.host) }
                let resumed = b.client.stream(room.sessionID, as: room.viewer, headers: ["Last-Event-ID": String(lastSeen)])
                _ = try await resumed.next(event: "connected")
                let (socket, _) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.viewer.accessToken, since: lastSeen)
                try await a.client.chat("live", in: room.sessionID, as: room.host)

                let expected = (0..<20).map { "missed \($0)" } + ["live"]
                _ = try await resumed.next(event: "chat_message") { $0.json.messageContent == "live" }
                _ = try await socket.next(type: "chat_message") { $0.messageContent == "live" }
                let overSSE = resumed.events.filter { $0.event == "chat_message" }
                #expect(overSSE.compactMap(\.json.messageContent) == expected)
                let overWebSocket = socket.frames.filter { $0["type"] as? String == "chat_message" }
                #expect(overWebSocket.compactMap(\.messageContent) == expected)
                #expect(overSSE.compactMap(\.id) == overWebSocket.compactMap(\.eventID))
                resumed.close()
                await socket.close()
            }
        }

        @Test func presenceCountsEveryNodeAndAUserLeavesWithTheirLastConnection() async throws {
            try await withCluster { cluster in
                let (a, b) = (try await cluster.start(), try await cluster.start())
                let room = try await a.client.makeRoom()
                let (hostOnA, _) = try await TestSocket.join(port: a.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (viewerOnB, connected) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                // B's welcome lists the host, who is on A.
                let participants = try #require(connected["participants"] as? [[String: Any]])
                #expect(Set(participants.compactMap { $0["id"] as? String }) == [room.host.id, room.viewer.id])
                _ = try await hostOnA.next(type: "user_joined") { ($0["user"] as? [String: Any])?["user_id"] as? String == room.viewer.id }

                // A second connection on the other node is not a second arrival.
                let (viewerOnA, _) = try await TestSocket.join(port: a.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                let viewerConnections = { (node: ServerProcess) async throws -> Int? in
                    let present = try await node.client.get("/api/sessions/\(room.sessionID)/presence", headers: room.host.bearer)
                    let items = present.json?["items"] as? [[String: Any]] ?? []
                    return items.first { $0["user_id"] as? String == room.viewer.id }?["connections"] as? Int
                }
                _ = try await eventually {
                    let (onA, onB) = (try await viewerConnections(a), try await viewerConnections(b))
                    return onA == 2 && onB == 2 ? true : nil
                }

                // Closing one of the two leaves the viewer present.
                await viewerOnB.close()
                _ = try await eventually { try await viewerConnections(a) == 1 ? true : nil }
                try await b.client.chat("marker", in: room.sessionID, as: room.host)
                _ = try await hostOnA.next(type: "chat_message") { $0.messageContent == "marker" }
                let aboutViewer = hostOnA.frames.filter { frame in
                    (frame["user_id"] as? String ?? (frame["user"] as? [String: Any])?["user_id"] as? String) == room.viewer.id
                }
                #expect(aboutViewer.compactMap { $0["type"] as? String } == ["user_joined"])

                await viewerOnA.close()
                _ = try await hostOnA.next(type: "user_left") { $0["user_id"] as? String == room.viewer.id }
                // B reads A's presence at most once a second.
                _ = try await eventually { try await viewerConnections(b) == nil ? true : nil }
                let statistics = try await b.client.get("/ws/stats").json?["cluster"] as? [String: Any]
                #expect(statistics?["nodes"] as? Int == 2)
                #expect(statistics?["connections"] as? Int == 1)
                await hostOnA.close()
            }
        }

        @Test func whenANodeIsKilledEveryAcknowledgedMessageArrivesAndItsUsersLeave() async throws {
            try await withCluster { cluster in
                let (a, b) = (try await cluster.start(), try await cluster.start())
                let room = try await b.client.makeRoom()
                let (watcherOnB, _) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                let (hostOnA, _) = try await TestSocket.join(port: a.port, sessionID: room.sessionID, token: room.host.accessToken)
                _ = try await watcherOnB.next(type: "user_joined") { ($0["user"] as? [String: Any])?["user_id"] as? String == room.host.id }

                // Four writers on A until it dies; a message counts once A answered 201.
                let acknowledged = Acknowledged()
                let writers = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for lane in 0..<4 {
                            group.addTask {
                                for index in 0... {
                                    let content = "lane \(lane) message \(index)"
                                    let response = try await a.client.post(
                                        room.messagesPath, json: ["content": content], headers: room.editor.bearer)
                                    guard response.status == 201 else { return }
                                    acknowledged.add(content)
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                _ = try await eventually { acknowledged.count >= 40 ? true : nil }
                await a.killAbruptly()
                _ = await writers.result

                let sent = acknowledged.all
                #expect(sent.count >= 40)
                let received = { Set(watcherOnB.frames.compactMap { $0["type"] as? String == "chat_message" ? $0.messageContent : nil }) }
                _ = try await eventually(within: .seconds(10)) { sent.isSubset(of: received()) ? true : nil }
                let logged = try await b.client.collectPages(room.messagesPath, limit: 100, headers: room.host.bearer).items
                #expect(sent.isSubset(of: Set(logged.compactMap { $0["content"] as? String })))
                // B notices that A stopped heartbeating, and says the host (present on A only) left.
                _ = try await watcherOnB.next(type: "user_left", timeout: .seconds(Double(TestCluster.nodeTimeoutSeconds) * 4)) {
                    $0["user_id"] as? String == room.host.id
                }
                await watcherOnB.close()
                await hostOnA.close()
            }
        }

        @Test func aNodeWhoseListeningConnectionIsTerminatedCatchesUp() async throws {
            try await withCluster { cluster in
                let (a, b) = (try await cluster.start(), try await cluster.start())
                let room = try await a.client.makeRoom()
                let (watcherOnB, _) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                let listening = "application_name = 'sessionhub:\(cluster.schema)' AND query LIKE 'LISTEN %' AND state = 'idle'"
                _ = try await eventually { try await cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE \(listening)") == "2" ? true : nil }

                let terminated = try await cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE \(listening) AND pg_terminate_backend(pid)")
                #expect(terminated == "2")
                // Written while nobody listens: B reads them once it listens again (or at its periodic read).
                for index in 0..<5 { try await a.client.chat("unheard \(index)", in: room.sessionID, as: room.host) }
                for index in 0..<5 { _ = try await watcherOnB.next(type: "chat_message") { $0.messageContent == "unheard \(index)" } }
                _ = try await eventually { try await cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE \(listening)") == "2" ? true : nil }
                try await a.client.chat("heard", in: room.sessionID, as: room.host)
                _ = try await watcherOnB.next(type: "chat_message") { $0.messageContent == "heard" }
                let chats = watcherOnB.frames.filter { $0["type"] as? String == "chat_message" }
                #expect(chats.compactMap(\.messageContent) == (0..<5).map { "unheard \($0)" } + ["heard"])
                await watcherOnB.close()
            }
        }

        @Test func underWritesOnBothNodesEverySubscriberSeesStrictlyIncreasingIDsAndTheLogHasNoHoles() async throws {
            try await withCluster { cluster in
                let (a, b) = (try await cluster.start(), try await cluster.start())
                let room = try await a.client.makeRoom()
                let (onA, _) = try await TestSocket.join(port: a.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                let (onB, _) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.viewer.accessToken)
                let (sseOnA, sseOnB) = (a.client.stream(room.sessionID, as: room.editor), b.client.stream(room.sessionID, as: room.editor))
                for stream in [sseOnA, sseOnB] { _ = try await stream.next(event: "connected") }
                let (writerOnA, _) = try await TestSocket.join(port: a.port, sessionID: room.sessionID, token: room.host.accessToken)
                let (writerOnB, _) = try await TestSocket.join(port: b.port, sessionID: room.sessionID, token: room.host.accessToken)

                // On each node at once: four REST writers one request after another, and a WebSocket writer that sends
                // without waiting, then counts its acknowledgements.
                let perLane = 40
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (node, writer, name) in [(a, writerOnA, "A"), (b, writerOnB, "B")] {
                        for lane in 0..<4 {
                            group.addTask {
                                for index in 0..<perLane { try await node.client.chat("\(name)\(lane)-\(index)", in: room.sessionID, as: room.host) }
                            }
                        }
                        group.addTask {
                            for index in 0..<perLane { writer.send(["type": "chat_message", "content": "\(name)ws-\(index)", "ref": index]) }
                            for _ in 0..<perLane { _ = try await writer.next(type: "ack") }
                        }
                    }
                    try await group.waitForAll()
                }
                let total = 2 * 5 * perLane
                let chatIDs = { (frames: [[String: Any]]) in frames.filter { $0["type"] as? String == "chat_message" }.compactMap(\.eventID) }
                let received = {
                    [onA.frames, onB.frames, sseOnA.events.map(\.json), sseOnB.events.map(\.json), writerOnA.frames, writerOnB.frames].map(chatIDs)
                }
                _ = try await eventually(within: .seconds(20)) { received().allSatisfy { $0.count == total } ? true : nil }

                let log = try await b.client.collectPages("/api/sessions/\(room.sessionID)/events", limit: 100, headers: room.host.bearer).items
                let logged = log.compactMap { ($0["id"] as? NSNumber)?.int64Value }
                let first = try #require(logged.first)
                #expect(logged == Array(first..<(first + Int64(logged.count))), "the log has holes")
                let loggedChats = log.filter { $0["type"] as? String == "chat_message" }.compactMap { ($0["id"] as? NSNumber)?.int64Value }
                #expect(loggedChats.count == total)
                // Every subscriber, on either node and either transport, got exactly the log's chat, in its order.
                for ids in received() { #expect(ids == loggedChats) }
                #expect(sseOnA.events.filter { $0.event == "chat_message" }.compactMap(\.id) == loggedChats)
                for socket in [onA, onB, writerOnA, writerOnB] { await socket.close() }
                for stream in [sseOnA, sseOnB] { stream.close() }
            }
        }
    }
}

/// What the server acknowledged, from several writers.
final class Acknowledged: Sendable {
    private let contents = Mutex<[String]>([])

    func add(_ content: String) {
        self.contents.withLock { $0.append(content) }
    }

    var count: Int { self.contents.withLock { $0.count } }
    var all: Set<String> { Set(self.contents.withLock { $0 }) }
}
