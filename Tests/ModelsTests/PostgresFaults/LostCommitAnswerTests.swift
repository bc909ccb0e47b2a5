import Foundation
import Models
import PostgresStore
import Testing

/// A COMMIT whose answer never arrives may have committed. The writer must find out, not guess: reporting a committed
/// message as failed invites the client to send it again, and running it again stores it twice or fails on its own id.
@Suite("PostgreSQL store: a commit whose answer is lost")
struct LostCommitAnswerTests {
    private static let messageInsert = "INSERT INTO session_messages"

    private static func proxiedWorld() async throws -> (StoreWorld, PostgresFaultProxy, direct: StoreWorld) {
        let (url, proxy) = try await PostgresFaultProxy.startForTestDatabase()
        let proxied = try proxy.relaying(url)
        let schema = "lost_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let world = try await StoreWorld { try await PostgresStore.connect(url: proxied, poolSize: 4, schema: schema, publisher: $0) }
        let direct = try await StoreWorld { try await PostgresStore.connect(url: url, poolSize: 2, schema: schema, publisher: $0) }
        return (world, proxy, direct)
    }

    @Test func aMessageWhoseCommitAnswerIsLostIsAcknowledgedOnce() async throws {
        let (world, proxy, direct) = try await Self.proxiedWorld()
        defer { Task { await proxy.stop() } }
        let ann = try await world.register("ann")
        let session = try await world.createSession(by: ann)

        proxy.arm(.commitAnswerLost(after: Self.messageInsert))
        let recorded = try await world.messages.post(MessageDraft(content: "committed, answer lost"), sessionID: session.id, by: ann)
        #expect(proxy.cuts == 1)

        let stored = try await direct.messages.list(sessionID: session.id, for: ann, matching: MessageQuery(), page: PageRequest(limit: 100))
        #expect(stored.items.map(\.id) == [recorded.value.id])
        // Its event reached this node's subscribers too.
        #expect(world.publisher.published.map(\.id) == [try #require(recorded.eventID)])
    }

    @Test func aBatchWhoseCommitAnswerIsLostIsAcknowledgedOnceEach() async throws {
        let (world, proxy, direct) = try await Self.proxiedWorld()
        defer { Task { await proxy.stop() } }
        let ann = try await world.register("ann")
        let session = try await world.createSession(by: ann)

        proxy.arm(.commitAnswerLost(after: Self.messageInsert))
        let posted = try await withThrowingTaskGroup(of: SessionMessage.self) { group in
            for number in 0..<12 { group.addTask { try await world.post("burst \(number)", in: session, by: ann) } }
            return try await group.reduce(into: [String]()) { $0.append($1.id) }
        }
        #expect(proxy.cuts == 1)

        let stored = try await direct.messages.list(sessionID: session.id, for: ann, matching: MessageQuery(), page: PageRequest(limit: 100))
        #expect(stored.items.map(\.id).sorted() == posted.sorted())
        let log = try await direct.log(of: session, for: ann, type: .chatMessage)
        #expect(log.count == 12)
    }
}
