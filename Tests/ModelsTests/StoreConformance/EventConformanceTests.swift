import Foundation
import Models
import Testing

@Suite("Store conformance: the event log")
struct EventConformanceTests {
    @Test(arguments: StoreBackend.allCases)
    func everyCommittedEventIsPublishedOnceInIDOrder(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let (ann, bob) = (try await world.register("ann"), try await world.register("bob"))
        let sessions = [try await world.createSession(by: ann), try await world.createSession(by: ann)]
        for session in sessions { try await world.invite(bob, to: session, as: .editor, by: ann) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 0..<40 {
                let (session, user) = (sessions[number % 2], number % 3 == 0 ? ann : bob)
                group.addTask { try await world.post("message \(number)", in: session, by: user) }
            }
            group.addTask { _ = try await world.update(sessions[0], by: bob) { $0.tokenCount = 7 } }
            try await group.waitForAll()
        }
        let published = world.publisher.published
        #expect(published.count == 2 + 40 + 1)
        #expect(published.map(\.id) == published.map(\.id).sorted())
        #expect(Set(published.map(\.id)).count == published.count)
        var logged: [SessionEvent] = []
        for session in sessions { logged += try await world.log(of: session, for: ann) }
        // Times aside (see `timesReadBackAsAnswered`).
        let untimed = { (event: SessionEvent) in [event.frame.filter { $0.key != "ts" }, ["actor_id": event.actorID.map(JSONValue.string) ?? .null]] }
        #expect(published.map(untimed) == logged.sorted { $0.id < $1.id }.map(untimed))
        #expect(try await world.store.latestEventID(sessionID: sessions[1].id) == logged.filter { $0.sessionID == sessions[1].id }.map(\.id).max())
    }

    @Test(arguments: StoreBackend.allCases)
    func theLogPagesByIDAndFiltersByType(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let ann = try await world.register("ann")
        let session = try await world.createSession(by: ann)
        #expect(try await world.sessions.latestEventID(sessionID: session.id) == 0)
        var messages: [SessionMessage] = []
        for number in 1...5 {
            messages.append(try await world.post("message \(number)", in: session, by: ann))
            _ = try await world.update(session, by: ann) { $0.tokenCount = number }
        }
        let pages = try await allPages(limit: 4) { try await world.sessions.events(sessionID: session.id, type: nil, for: ann, page: $0) }
        #expect(pages.map(\.count) == [4, 4, 2])
        let all = pages.flatMap { $0 }
        #expect(all.map(\.type) == Array(repeating: [SessionEvent.Kind.chatMessage, .sessionUpdate], count: 5).flatMap { $0 })
        #expect(all.map(\.id) == all.map(\.id).sorted())
        #expect(all.allSatisfy { $0.sessionID == session.id && $0.actorID == ann.id && $0.createdAt == world.clock.now })
        let chats = try await allPages(limit: 2) { try await world.sessions.events(sessionID: session.id, type: .chatMessage, for: ann, page: $0) }
        #expect(chats.map(\.count) == [2, 2, 1])
        #expect(
            chats.flatMap { $0.compactMap { $0.payload["message"].flatMap(MessageConformanceTests.field("id")) } } == messages.map { .string($0.id) })
        // The log resumes after any id, as a reconnecting client asks.
        let resumed = try await world.sessions.events(
            sessionID: session.id, type: nil, for: ann, page: PageRequest(limit: 50, cursor: PageCursor(key: nil, id: String(all[6].id)))
        )
        #expect(resumed.items == Array(all.suffix(3)))
        #expect(resumed.nextCursor == nil)
        #expect(try await world.sessions.latestEventID(sessionID: session.id) == all.last?.id)
    }

    /// A time is read back as it was answered, to the millisecond the wire shows.
    @Test(arguments: StoreBackend.allCases)
    func timesReadBackAsAnswered(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let ann = try await world.register("ann")
        let session = try await world.createSession(by: ann)
        // Inside a millisecond, where `WireFormat.now()` places every time it gives.
        world.clock.advance(by: 1.0013)
        let posted = try await world.messages.post(MessageDraft(content: "timed"), sessionID: session.id, by: ann)
        let answered = WireFormat.timestamp(posted.value.createdAt)
        #expect(answered == "2027-01-15T08:00:01.001Z")
        let published = try #require(world.publisher.published.last)
        #expect(published.frame["ts"] == .string(answered))
        let listed = try await world.messages.list(sessionID: session.id, for: ann, matching: MessageQuery(), page: PageRequest())
        #expect(listed.items.map { WireFormat.timestamp($0.createdAt) } == [answered])
        #expect(try await world.log(of: session, for: ann).map { $0.frame["ts"] } == [.string(answered)])
    }

    @Test(arguments: StoreBackend.allCases)
    func aRefusedWriteLeavesNoTraceAndPublishesNothing(backend: StoreBackend) async throws {
        let world = try await StoreWorld(backend)
        let ann = try await world.register("ann")
        let session = try await world.createSession(by: ann)
        let message = try await world.post("kept", in: session, by: ann)
        let before = world.publisher.published

        // An event builder that fails rolls its reaction back.
        await #expect(throws: CancellationError.self) {
            try await world.store.addReaction(messageID: message.id, userID: ann.id, emoji: "👍") { _ in throw CancellationError() }
        }
        #expect(try await world.store.message(id: message.id, sessionID: session.id)?.reactions == [])
        // So does a revision that fails, and one that changes nothing logs nothing.
        await #expect(throws: CancellationError.self) {
            try await world.store.updateSession(id: session.id, for: ann.id) { _ in throw CancellationError() }
        }
        let untouched = try await world.store.updateSession(id: session.id, for: ann.id) { _ in nil }
        #expect(untouched.event == nil)
        #expect(untouched.session.role == .host)
        await #expect(throws: DomainError.notFound("Session not found")) {
            try await world.store.updateSession(id: "no-such-session", for: ann.id) { _ in nil }
        }
        // Writes that refer to what is gone are not found, as a write racing a deletion is.
        let stray = NewSessionEvent(sessionID: session.id, type: .chatMessage, actorID: "no-such-user", payload: [:])
        await #expect(throws: DomainError.notFound("Something this request refers to was deleted meanwhile")) {
            try await world.store.softDeleteMessage(id: message.id, at: world.clock.now, event: stray)
        }
        #expect(try await world.store.message(id: message.id, sessionID: session.id)?.content == "kept")
        #expect(world.publisher.published == before)

        try await world.sessions.delete(sessionID: session.id, by: ann)
        let late = SessionMessage(
            id: "late", sessionID: session.id, userID: ann.id, username: ann.username, type: .chat, content: "too late", mentions: [], file: nil,
            line: nil, codeSnippet: nil, parentID: nil, toUserID: nil, createdAt: world.clock.now, editedAt: nil, deletedAt: nil, reactions: []
        )
        await #expect(throws: DomainError.notFound("Something this request refers to was deleted meanwhile")) {
            try await world.store.insertMessage(
                late, event: NewSessionEvent(sessionID: session.id, type: .chatMessage, actorID: ann.id, payload: [:]))
        }
        await #expect(throws: DomainError.notFound("Message not found")) {
            try await world.store.softDeleteMessage(
                id: message.id, at: world.clock.now,
                event: NewSessionEvent(sessionID: session.id, type: .messageDeleted, actorID: ann.id, payload: [:])
            )
        }
        #expect(world.publisher.published == before)
    }
}
