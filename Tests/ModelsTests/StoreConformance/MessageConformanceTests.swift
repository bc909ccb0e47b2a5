import Foundation
import Models
import Testing

@Suite("Store conformance: messages")
struct MessageConformanceTests {
    /// A public session of ann's, bob an editor in it, cat a passing viewer.
    struct Chat {
        let world: StoreWorld
        let ann: User
        let bob: User
        let cat: User
        let session: CodingSession

        init(_ backend: StoreBackend) async throws {
            self.world = try await StoreWorld(backend)
            self.ann = try await self.world.register("ann")
            self.bob = try await self.world.register("bob")
            self.cat = try await self.world.register("cat")
            self.session = try await self.world.createSession(by: self.ann) { $0.visibility = .public }
            try await self.world.invite(self.bob, to: self.session, as: .editor, by: self.ann)
        }

        func list(for user: User, _ configure: (inout MessageQuery) -> Void = { _ in }, limit: Int = 50) async throws -> [[SessionMessage]] {
            var query = MessageQuery()
            configure(&query)
            return try await allPages(limit: limit) {
                try await self.world.messages.list(sessionID: self.session.id, for: user, matching: query, page: $0)
            }
        }

        func direct(_ content: String, from sender: User, to recipient: User) async throws -> SessionMessage {
            try await self.world.messages.sendDirect(
                DirectMessageDraft(toUserID: recipient.id, content: content), sessionID: self.session.id, by: sender
            )
            .value
        }

        /// Every text the log holds, as stored.
        func loggedText(for user: User) async throws -> String {
            try await self.world.log(of: self.session, for: user).map { JSONValue.object($0.payload).jsonText }.joined(separator: "\n")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func messagesPageOldestFirstForwardsAndBackwards(backend: StoreBackend) async throws {
        let chat = try await Chat(backend)
        var posted: [SessionMessage] = []
        for number in 1...7 {
            posted.append(try await chat.world.post("message \(number)", in: chat.session, by: number.isMultiple(of: 2) ? chat.bob : chat.ann))
        }
        let forwards = try await chat.list(for: chat.cat, limit: 3)
        #expect(
            forwards.map { $0.map(\.content) } == [["message 1", "message 2", "message 3"], ["message 4", "message 5", "message 6"], ["message 7"]])
        #expect(forwards.flatMap { $0 }.map(\.username) == posted.map(\.username))
        #expect(forwards.flatMap { $0 } == posted)

        // Before a message: the newest pages first, each page oldest first.
        let backwards = try await chat.list(for: chat.cat, { $0.before = posted[6].id }, limit: 4)
        #expect(backwards.map { $0.map(\.content) } == [["message 3", "message 4", "message 5", "message 6"], ["message 1", "message 2"]])
        let after = try await chat.list(for: chat.cat, { $0.after = posted[4].id }, limit: 1)
        #expect(after.map { $0.map(\.content) } == [["message 6"], ["message 7"]])
        await #expect(throws: DomainError.invalid("before", "names no message of this session")) {
            try await chat.list(for: chat.cat) { $0.before = "no-such-message" }
        }
        let elsewhere = try await chat.world.createSession(by: chat.ann)
        let foreign = try await chat.world.post("elsewhere", in: elsewhere, by: chat.ann)
        await #expect(throws: DomainError.invalid("after", "names no message of this session")) {
            try await chat.list(for: chat.cat) { $0.after = foreign.id }
        }
        #expect(try await chat.world.store.message(id: foreign.id, sessionID: chat.session.id) == nil)
        #expect(try await chat.world.sessions.session(id: chat.session.id, for: chat.ann).lastActivity == posted[6].createdAt)
    }

    @Test(arguments: StoreBackend.allCases)
    func threadsCommentsAndFilters(backend: StoreBackend) async throws {
        let chat = try await Chat(backend)
        let root = try await chat.world.post("root", in: chat.session, by: chat.ann)
        let reply = try await chat.world.post("reply", in: chat.session, by: chat.bob, replyingTo: root)
        let comment = try await chat.world.messages.post(
            MessageDraft(type: .comment, content: "look", file: "Sources/a.swift", line: 3, codeSnippet: "let x = 1"), sessionID: chat.session.id,
            by: chat.bob
        ).value
        #expect(comment.type == .comment)
        let direct = try await chat.direct("psst", from: chat.ann, to: chat.bob)
        await #expect(throws: DomainError.invalid("parent_id", "names no message of this session")) {
            try await chat.world.post("to a direct message", in: chat.session, by: chat.bob, replyingTo: direct)
        }
        await #expect(throws: DomainError.invalid("parent_id", "names no message of this session")) {
            try await chat.world.messages.post(MessageDraft(content: "orphan", parentID: "missing"), sessionID: chat.session.id, by: chat.bob)
        }
        #expect(try await chat.list(for: chat.cat) { $0.parentID = root.id }.flatMap { $0 } == [reply])
        #expect(try await chat.list(for: chat.cat) { $0.file = "Sources/a.swift" }.flatMap { $0.map(\.id) } == [comment.id])
        #expect(try await chat.list(for: chat.cat) { $0.type = .comment }.flatMap { $0.map(\.codeSnippet) } == ["let x = 1"])
        #expect(try await chat.list(for: chat.ann) { $0.type = .direct }.flatMap { $0.map(\.id) } == [direct.id])
        #expect(try await chat.list(for: chat.cat) { $0.type = .direct }.flatMap { $0 }.isEmpty)
        let comments = try await chat.world.log(of: chat.session, for: chat.cat, type: .codeComment)
        #expect(comments.count == 1)
        #expect(comments.first?.payload["comment"].flatMap(Self.field("line")) == .number(3))
    }

    @Test(arguments: StoreBackend.allCases)
    func directMessagesStayBetweenTheirTwoUsers(backend: StoreBackend) async throws {
        let chat = try await Chat(backend)
        try await chat.world.post("hello all", in: chat.session, by: chat.ann)
        let direct = try await chat.direct("for bob only", from: chat.ann, to: chat.bob)
        #expect(direct.toUserID == chat.bob.id)
        await #expect(throws: DomainError.invalid("to_user_id", "names nobody else who can see this session")) {
            try await chat.direct("to myself", from: chat.ann, to: chat.ann)
        }

        for (user, sees) in [(chat.ann, true), (chat.bob, true), (chat.cat, false)] {
            let listed = try await chat.list(for: user).flatMap { $0 }
            #expect(listed.contains { $0.id == direct.id } == sees, "\(user.username) listing")
            let log = try await chat.world.log(of: chat.session, for: user)
            #expect(log.contains { $0.type == .directMessage } == sees, "\(user.username) log")
            #expect(try await chat.loggedText(for: user).contains("for bob only") == sees)
            let stats = try await chat.world.messages.stats(sessionID: chat.session.id, for: user)
            #expect(stats.total == (sees ? 2 : 1))
            #expect(stats.byType["direct"] == (sees ? 1 : 0))
        }
        let event = try #require(try await chat.world.log(of: chat.session, for: chat.bob, type: .directMessage).first)
        #expect(event.recipientID == chat.bob.id)
        #expect(event.audience == [chat.ann.id, chat.bob.id])
        // The session's analytics count no one's direct messages among its events.
        let analytics = try await chat.world.analytics.session(sessionID: chat.session.id, for: chat.cat)
        #expect(analytics.events == 2)
    }

    @Test(arguments: StoreBackend.allCases)
    func editsAndDeletionsReachEveryLoggedCopy(backend: StoreBackend) async throws {
        let chat = try await Chat(backend)
        let message = try await chat.world.post("first draft, hi @cat", in: chat.session, by: chat.bob)
        #expect(message.mentions.isEmpty)
        chat.world.clock.advance(by: 5)
        let edited = try await chat.world.messages.edit(
            messageID: message.id, with: MessageEdit(content: "second draft for @ANN"), sessionID: chat.session.id, by: chat.bob
        )
        #expect(edited.value.content == "second draft for @ANN")
        #expect(edited.value.mentions == [chat.ann.id])
        #expect(edited.value.editedAt == chat.world.clock.now)
        await #expect(throws: DomainError.forbidden("Only its author may edit a message")) {
            try await chat.world.messages.edit(
                messageID: message.id, with: MessageEdit(content: "mine now"), sessionID: chat.session.id, by: chat.ann)
        }

        var log = try await chat.world.log(of: chat.session, for: chat.ann)
        #expect(log.map(\.type) == [.participantUpdated, .chatMessage, .messageUpdated])
        #expect(log.last?.id == edited.eventID)
        for event in log.dropFirst() {
            #expect(event.payload["message"].flatMap(Self.field("content")) == .string("second draft for @ANN"))
            #expect(event.payload["message"].flatMap(Self.field("edited_at")) == .string(WireFormat.timestamp(chat.world.clock.now)))
        }
        #expect(try await !chat.loggedText(for: chat.ann).contains("first draft"))

        chat.world.clock.advance(by: 5)
        try await chat.world.messages.delete(messageID: message.id, sessionID: chat.session.id, by: chat.ann)
        #expect(try await !chat.loggedText(for: chat.ann).contains("draft"))
        log = try await chat.world.log(of: chat.session, for: chat.ann)
        #expect(log.last?.type == .messageDeleted)
        #expect(log.last?.payload == ["message_id": .string(message.id)])
        for event in log where event.type == .chatMessage || event.type == .messageUpdated {
            #expect(event.payload["message"].flatMap(Self.field("deleted_at")) == .string(WireFormat.timestamp(chat.world.clock.now)))
            #expect(event.payload["message"].flatMap(Self.field("mentions")) == .array([]))
        }
        let listed = try #require(try await chat.list(for: chat.cat).flatMap { $0 }.last)
        #expect(listed.id == message.id)
        #expect(listed.content == nil)
        #expect(listed.deletedAt == chat.world.clock.now)
        await #expect(throws: DomainError.notFound("Message not found")) {
            try await chat.world.messages.delete(messageID: message.id, sessionID: chat.session.id, by: chat.bob)
        }
        await #expect(throws: DomainError.notFound("Message not found")) {
            try await chat.world.messages.edit(messageID: message.id, with: MessageEdit(content: "back"), sessionID: chat.session.id, by: chat.bob)
        }
        // Deleting at the store twice: one event, the second refused.
        let again = NewSessionEvent(sessionID: chat.session.id, type: .messageDeleted, actorID: chat.ann.id, payload: [:])
        await #expect(throws: DomainError.notFound("Message not found")) {
            try await chat.world.store.softDeleteMessage(id: message.id, at: chat.world.clock.now, event: again)
        }
        #expect(try await chat.world.log(of: chat.session, for: chat.ann, type: .messageDeleted).count == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func onlyAuthorsAndHostsDelete(backend: StoreBackend) async throws {
        let chat = try await Chat(backend)
        let dan = try await chat.world.register("dan")
        try await chat.world.invite(dan, to: chat.session, as: .editor, by: chat.ann)
        let bobs = try await chat.world.post("bob's", in: chat.session, by: chat.bob)
        await #expect(throws: DomainError.forbidden("Only its author or a host may delete a message")) {
            try await chat.world.messages.delete(messageID: bobs.id, sessionID: chat.session.id, by: dan)
        }
        await #expect(throws: DomainError.forbidden("Your role in this session (viewer) does not allow this")) {
            try await chat.world.messages.delete(messageID: bobs.id, sessionID: chat.session.id, by: chat.cat)
        }
        let deleted = try await chat.world.messages.delete(messageID: bobs.id, sessionID: chat.session.id, by: chat.ann)
        #expect(deleted.value == bobs.id)
        #expect(deleted.eventID != nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func aUserReactsWithAnEmojiOnce(backend: StoreBackend) async throws {
        let chat = try await Chat(backend)
        let message = try await chat.world.post("react to me", in: chat.session, by: chat.ann)
        let react: @Sendable (String, User) async throws -> Recorded<[ReactionSummary]> = { emoji, user in
            try await chat.world.messages.react(ReactionDraft(emoji: emoji), messageID: message.id, sessionID: chat.session.id, by: user)
        }
        let first = try await react("🎉", chat.bob)
        #expect(first.value == [ReactionSummary(emoji: "🎉", count: 1, userIDs: [chat.bob.id])])
        #expect(first.eventID != nil)
        let repeated = try await react("🎉", chat.bob)
        #expect(repeated.eventID == nil)
        #expect(repeated.value == first.value)

        let parallel = await withTaskGroup(of: Int64?.self) { group in
            for _ in 0..<10 { group.addTask { try? await react("👍", chat.ann).eventID } }
            return await group.reduce(into: [Int64]()) { if let id = $1 { $0.append(id) } }
        }
        #expect(parallel.count == 1)
        // The emoji first used first (in the same millisecond, by emoji: the order is the same here either way).
        let reacted = try #require(try await chat.world.store.message(id: message.id, sessionID: chat.session.id))
        #expect(
            reacted.reactions == [
                ReactionSummary(emoji: "🎉", count: 1, userIDs: [chat.bob.id]), ReactionSummary(emoji: "👍", count: 1, userIDs: [chat.ann.id]),
            ])

        let removed = try await chat.world.messages.unreact(emoji: "🎉", messageID: message.id, sessionID: chat.session.id, by: chat.bob)
        #expect(removed.value == [ReactionSummary(emoji: "👍", count: 1, userIDs: [chat.ann.id])])
        await #expect(throws: DomainError.notFound("You have not reacted with that emoji")) {
            try await chat.world.messages.unreact(emoji: "🎉", messageID: message.id, sessionID: chat.session.id, by: chat.bob)
        }
        let events = try await chat.world.log(of: chat.session, for: chat.cat, type: .reactionUpdate)
        #expect(events.map { $0.payload["action"] } == [.string("add"), .string("add"), .string("remove")])
        #expect(events.map(\.actorID) == [chat.bob.id, chat.ann.id, chat.bob.id])
        let remaining = JSONValue.object(["emoji": .string("👍"), "count": .number(1), "user_ids": .array([.string(chat.ann.id)])])
        #expect(events.last?.payload["reactions"] == .array([remaining]))
    }

    @Test(arguments: StoreBackend.allCases)
    func reactionsListTheirUsers(backend: StoreBackend) async throws {
        let chat = try await Chat(backend)
        let message = try await chat.world.post("popular", in: chat.session, by: chat.ann)
        for user in [chat.ann, chat.bob] {
            _ = try await chat.world.messages.react(ReactionDraft(emoji: "👀"), messageID: message.id, sessionID: chat.session.id, by: user)
        }
        let summary = try #require(try await chat.world.store.message(id: message.id, sessionID: chat.session.id)?.reactions.first)
        #expect(summary.count == 2)
        #expect(Set(summary.userIDs) == [chat.ann.id, chat.bob.id])
    }

    @Test(arguments: StoreBackend.allCases)
    func mentionsReachParticipantsOnly(backend: StoreBackend) async throws {
        let chat = try await Chat(backend)
        let message = try await chat.world.post("@Bob and @cat and @nobody, see @ann.", in: chat.session, by: chat.ann)
        // cat sees the public session but takes no part in it.
        #expect(Set(message.mentions) == [chat.ann.id, chat.bob.id])
        #expect(message.mentions.count == 2)
        #expect(try await chat.world.store.participantIDs(sessionID: chat.session.id, usernames: ["BOB"]) == [chat.bob.id])
    }

    @Test(arguments: StoreBackend.allCases)
    func statsCountTheConversation(backend: StoreBackend) async throws {
        let chat = try await Chat(backend)
        let root = try await chat.world.post("root", in: chat.session, by: chat.ann)
        let reply = try await chat.world.post("reply", in: chat.session, by: chat.bob, replyingTo: root)
        try await chat.world.post("second reply", in: chat.session, by: chat.bob, replyingTo: root)
        let other = try await chat.world.post("other root", in: chat.session, by: chat.bob)
        let deletedReply = try await chat.world.post("deleted reply", in: chat.session, by: chat.ann, replyingTo: other)
        try await chat.world.messages.delete(messageID: deletedReply.id, sessionID: chat.session.id, by: chat.ann)
        _ = try await chat.direct("direct", from: chat.bob, to: chat.ann)
        for (emoji, user, target) in [("👍", chat.ann, root), ("👍", chat.bob, root), ("🎉", chat.ann, reply), ("❤️", chat.ann, reply)] {
            _ = try await chat.world.messages.react(ReactionDraft(emoji: emoji), messageID: target.id, sessionID: chat.session.id, by: user)
        }

        let stats = try await chat.world.messages.stats(sessionID: chat.session.id, for: chat.cat)
        #expect(stats.total == 4)
        #expect(stats.byType == ["chat": 4, "comment": 0, "system": 0, "direct": 0])
        // The deleted reply's thread counts; the reply itself does not.
        #expect(stats.threads == 2)
        #expect(stats.replies == 2)
        #expect(stats.deleted == 1)
        #expect(stats.reactions == 4)
        #expect(stats.topEmojis == [EmojiCount(emoji: "👍", count: 2), EmojiCount(emoji: "❤️", count: 1), EmojiCount(emoji: "🎉", count: 1)])
        #expect(
            stats.byUser == [
                UserMessageCount(userID: chat.bob.id, username: "bob", messages: 3),
                UserMessageCount(userID: chat.ann.id, username: "ann", messages: 1),
            ])
        let annStats = try await chat.world.messages.stats(sessionID: chat.session.id, for: chat.ann)
        #expect(annStats.total == 5)
        #expect(annStats.byUser.first == UserMessageCount(userID: chat.bob.id, username: "bob", messages: 4))
    }

    /// A field of a logged message object.
    static func field(_ name: String) -> (JSONValue) -> JSONValue? {
        { value in
            guard case .object(let fields) = value else { return nil }
            return fields[name]
        }
    }
}
