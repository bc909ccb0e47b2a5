import Foundation

/// Chat, code comments, threads, @mentions, direct messages, edits, soft deletes and reactions: the one code path
/// REST and the realtime transports share, so a message sent either way is validated, stored, logged and published
/// alike (the store publishes each event as it commits).
public struct MessageService: Sendable {
    let sessions: SessionService
    let store: any MessageStore
    let secrets: SecretScreen
    let now: @Sendable () -> Date

    public init(
        sessions: SessionService, store: any MessageStore, secrets: SecretScreen = SecretScreen(policy: .mask),
        now: @escaping @Sendable () -> Date = WireFormat.now
    ) {
        self.sessions = sessions
        self.store = store
        self.secrets = secrets
        self.now = now
    }

    public func list(sessionID: String, for user: User, matching query: MessageQuery, page: PageRequest) async throws -> Page<SessionMessage> {
        _ = try await self.sessions.authorize(.observe, sessionID: sessionID, user: user)
        return try await self.store.messages(sessionID: sessionID, viewerID: user.id, matching: query, page: page)
    }

    public func post(_ draft: MessageDraft, sessionID: String, by user: User) async throws -> Recorded<SessionMessage> {
        try await self.post(draft, in: self.sessions.access(.contribute, sessionID: sessionID, user: user), by: user)
    }

    /// Posts with a standing already known (a live connection's): no authorization query.
    public func post(_ draft: MessageDraft, in session: SessionAccess, by user: User) async throws -> Recorded<SessionMessage> {
        try session.require(.contribute)
        let type = draft.type ?? .chat
        try MessageValidation.check(draft, type: type)
        let (texts, masked) = try self.secrets.apply(to: ["content": draft.content, "code_snippet": draft.codeSnippet])
        let content = texts[0] ?? draft.content
        if let parentID = draft.parentID {
            guard let parent = try await self.store.message(id: parentID, sessionID: session.sessionID), parent.type != .direct else {
                throw DomainError.invalid("parent_id", "names no message of this session")
            }
        }
        var message = SessionMessage(
            id: UUID().uuidString.lowercased(), sessionID: session.sessionID, userID: user.id, username: user.username,
            type: type == .comment ? .comment : .chat, content: content,
            mentions: try await self.mentions(in: content, sessionID: session.sessionID), file: draft.file, line: draft.line,
            codeSnippet: texts[1], parentID: draft.parentID, toUserID: nil, createdAt: self.now(), editedAt: nil,
            deletedAt: nil, reactions: []
        )
        message.maskedSecrets = masked
        // The seed's wire format: a chat message travels as `message`, a code comment as `comment`.
        return type == .comment
            ? try await self.insert(message, as: .codeComment, key: "comment")
            : try await self.insert(message, as: .chatMessage)
    }

    /// A message only its sender and the draft's recipient (`to_user_id`) see, live, in listings and in the log; the
    /// recipient must have access too.
    public func sendDirect(_ draft: DirectMessageDraft, sessionID: String, by user: User) async throws -> Recorded<SessionMessage> {
        try await self.sendDirect(draft, in: self.sessions.access(.contribute, sessionID: sessionID, user: user), by: user)
    }

    public func sendDirect(_ draft: DirectMessageDraft, in session: SessionAccess, by user: User) async throws -> Recorded<SessionMessage> {
        try session.require(.contribute)
        try MessageValidation.checkContent(draft.content)
        let (texts, masked) = try self.secrets.apply(to: ["content": draft.content])
        guard draft.toUserID != user.id, try await self.sessions.role(of: draft.toUserID, inSessionID: session.sessionID) != nil else {
            throw DomainError.invalid("to_user_id", "names nobody else who can see this session")
        }
        var message = SessionMessage(
            id: UUID().uuidString.lowercased(), sessionID: session.sessionID, userID: user.id, username: user.username, type: .direct,
            content: texts[0] ?? draft.content, mentions: [], file: nil, line: nil, codeSnippet: nil, parentID: nil,
            toUserID: draft.toUserID, createdAt: self.now(), editedAt: nil, deletedAt: nil, reactions: []
        )
        message.maskedSecrets = masked
        return try await self.insert(message, as: .directMessage)
    }

    /// Stores a new message with the event that announces it (`type`, the message under `key`).
    private func insert(_ message: SessionMessage, as type: SessionEvent.Kind, key: String = "message") async throws -> Recorded<SessionMessage> {
        let payload = [key: try JSONValue(encoding: message)]
        let event = NewSessionEvent(
            sessionID: message.sessionID, type: type, actorID: message.userID, recipientID: message.toUserID, messageID: message.id,
            payload: payload
        )
        return Recorded(message, eventID: try await self.store.insertMessage(message, event: event).id)
    }

    public func edit(messageID: String, with edit: MessageEdit, sessionID: String, by user: User) async throws -> Recorded<SessionMessage> {
        try await self.edit(messageID: messageID, with: edit, in: self.sessions.access(.contribute, sessionID: sessionID, user: user), by: user)
    }

    /// Edits with a standing already known (a live connection's): no authorization query.
    public func edit(messageID: String, with edit: MessageEdit, in session: SessionAccess, by user: User) async throws -> Recorded<SessionMessage> {
        try session.require(.contribute)
        let message = try await self.liveMessage(messageID, in: session)
        guard message.userID == user.id else { throw DomainError.forbidden("Only its author may edit a message") }
        try MessageValidation.checkContent(edit.content)
        let (texts, masked) = try self.secrets.apply(to: ["content": edit.content])
        let content = texts[0] ?? edit.content
        let mentions = try await self.mentions(in: content, sessionID: session.sessionID)
        let (stored, event) = try await self.store.updateMessageContent(
            id: message.id,
            content: content,
            mentions: mentions,
            editedAt: self.now()
        ) { stored in
            var updated = stored
            updated.maskedSecrets = masked
            return NewSessionEvent(
                sessionID: session.sessionID,
                type: .messageUpdated,
                actorID: user.id,
                messageID: updated.id,
                payload: ["message": try JSONValue(encoding: updated)]
            )
        }
        var updated = stored
        updated.maskedSecrets = masked
        return Recorded(updated, eventID: event.id)
    }

    /// Soft-deletes: authors delete their own messages, hosts anyone's.
    @discardableResult
    public func delete(messageID: String, sessionID: String, by user: User) async throws -> Recorded<String> {
        try await self.delete(messageID: messageID, in: self.sessions.access(.contribute, sessionID: sessionID, user: user), by: user)
    }

    @discardableResult
    public func delete(messageID: String, in session: SessionAccess, by user: User) async throws -> Recorded<String> {
        try session.require(.contribute)
        let message = try await self.liveMessage(messageID, in: session)
        guard message.userID == user.id || session.role.permits(.manage) else {
            throw DomainError.forbidden("Only its author or a host may delete a message")
        }
        let event = NewSessionEvent(
            sessionID: session.sessionID, type: .messageDeleted, actorID: user.id, payload: ["message_id": .string(message.id)])
        return Recorded(message.id, eventID: try await self.store.softDeleteMessage(id: message.id, at: self.now(), event: event).id)
    }

    /// Adds a reaction; no event is recorded when the user had already reacted with that emoji.
    public func react(_ draft: ReactionDraft, messageID: String, sessionID: String, by user: User) async throws -> Recorded<[ReactionSummary]> {
        try await self.react(draft, messageID: messageID, in: self.sessions.access(.contribute, sessionID: sessionID, user: user), by: user)
    }

    public func react(_ draft: ReactionDraft, messageID: String, in session: SessionAccess, by user: User) async throws -> Recorded<[ReactionSummary]>
    {
        try session.require(.contribute)
        let message = try await self.liveMessage(messageID, in: session)
        try MessageValidation.checkEmoji(draft.emoji)
        let outcome = try await self.store.addReaction(messageID: message.id, userID: user.id, emoji: draft.emoji) { reactions in
            try self.reactionEvent(session: session, message: message, user: user, emoji: draft.emoji, action: "add", reactions: reactions)
        }
        guard let outcome else { return Recorded(message.reactions, eventID: nil) }
        return Recorded(outcome.reactions, eventID: outcome.event.id)
    }

    public func unreact(emoji: String, messageID: String, sessionID: String, by user: User) async throws -> Recorded<[ReactionSummary]> {
        try await self.unreact(emoji: emoji, messageID: messageID, in: self.sessions.access(.contribute, sessionID: sessionID, user: user), by: user)
    }

    public func unreact(emoji: String, messageID: String, in session: SessionAccess, by user: User) async throws -> Recorded<[ReactionSummary]> {
        try session.require(.contribute)
        let message = try await self.liveMessage(messageID, in: session)
        let outcome = try await self.store.removeReaction(messageID: message.id, userID: user.id, emoji: emoji) { reactions in
            try self.reactionEvent(session: session, message: message, user: user, emoji: emoji, action: "remove", reactions: reactions)
        }
        guard let outcome else { throw DomainError.notFound("You have not reacted with that emoji") }
        return Recorded(outcome.reactions, eventID: outcome.event.id)
    }

    public func stats(sessionID: String, for user: User) async throws -> MessageStats {
        _ = try await self.sessions.authorize(.observe, sessionID: sessionID, user: user)
        return try await self.store.messageStats(sessionID: sessionID, viewerID: user.id)
    }

    /// A message of this session that is not deleted and, if direct, concerns nobody else; 404 otherwise.
    private func liveMessage(_ id: String, in session: SessionAccess) async throws -> SessionMessage {
        guard let message = try await self.store.message(id: id, sessionID: session.sessionID), message.deletedAt == nil, message.type != .direct
        else { throw DomainError.notFound("Message not found") }
        return message
    }

    private func mentions(in content: String, sessionID: String) async throws -> [String] {
        let names = MentionParser.usernames(in: content)
        return names.isEmpty ? [] : try await self.store.participantIDs(sessionID: sessionID, usernames: names)
    }

    private func reactionEvent(
        session: SessionAccess, message: SessionMessage, user: User, emoji: String, action: String, reactions: [ReactionSummary]
    ) throws -> NewSessionEvent {
        NewSessionEvent(
            sessionID: session.sessionID,
            type: .reactionUpdate,
            actorID: user.id,
            payload: [
                "message_id": .string(message.id), "user_id": .string(user.id), "emoji": .string(emoji), "action": .string(action),
                "reactions": try JSONValue(encoding: reactions),
            ]
        )
    }
}
