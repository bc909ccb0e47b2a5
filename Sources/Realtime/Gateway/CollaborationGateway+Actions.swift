import Foundation
import Models

extension CollaborationGateway {
    /// Who sent a client message: a live connection (authorized when it opened and re-checked when access changes)
    /// or a REST call to the actions endpoint (authorized per call).
    enum Sender: Sendable {
        case connection(LiveConnection)
        case request(user: User, sessionID: String)

        var user: User {
            switch self {
            case .connection(let connection): connection.user
            case .request(let user, _): user
            }
        }

        var sessionID: String {
            switch self {
            case .connection(let connection): connection.sessionID
            case .request(_, let sessionID): sessionID
            }
        }
    }

    /// What to do after one inbound frame of a live connection.
    enum InboundOutcome: Sendable {
        case answer(PendingAnswer)
        /// The connection kept flooding while refused: its subscription is closed (1008).
        case closedForFlooding
    }

    /// A connection's share of its user's frame budget, for `receive`.
    func floodControl(for connection: LiveConnection) -> FloodControl {
        FloodControl(budget: self.hub.frameBudget, userID: connection.user.id, burst: self.limits.framesPerSecond * 2)
    }

    /// Takes one inbound frame of a live connection: flood control, the size limit, presence, decoding and the action.
    /// Every refusal is an `error` frame carrying the `ref` it could read; nothing is stored or broadcast then.
    ///
    /// Returns once the frame's handling ended, or once its message is queued for the writer when it only adds a
    /// message: the writer commits in queue order, so the connection's next frame may be taken up meanwhile, and a
    /// client that sends without waiting has its messages committed together instead of one commit each. Any other
    /// frame first waits for `earlier`, the answers owed before it.
    func receive(
        _ data: Data, on connection: LiveConnection, flood: inout FloodControl, after earlier: Task<Void, Never>?
    ) async
        -> InboundOutcome
    {
        switch flood.admit() {
        case .allowed:
            let queuedOrDone = WriteQueuedSignal()
            let handling = Task {
                let reply = await self.answer(data, from: connection, after: earlier, queued: queuedOrDone)
                queuedOrDone.open()
                return reply
            }
            await queuedOrDone.wait()
            return .answer(.handling(handling))
        case .refused:
            self.hub.counters.add(.rateLimited)
            return .answer(.ready(.error(code: .rateLimited, message: "Too many messages; slow down", sessionID: connection.sessionID)))
        case .abusive:
            self.hub.counters.add(.floodCloses)
            connection.subscriber.close(.flooding)
            return .closedForFlooding
        }
    }

    private func answer(
        _ data: Data, from connection: LiveConnection, after earlier: Task<Void, Never>?, queued: WriteQueuedSignal
    ) async -> OutboundFrame? {
        guard data.count <= self.limits.maxMessageBytes else {
            return .error(.payloadTooLarge(limitBytes: self.limits.maxMessageBytes), sessionID: connection.sessionID)
        }
        // Its writes (a returning user's join) are not the message's: they must not let the next frame start.
        await self.noteActivity(of: connection)
        let decoded: ClientMessage
        do {
            decoded = try ClientMessage.decode(data)
        } catch {
            return .error(error.error, ref: error.ref, sessionID: connection.sessionID)
        }
        do {
            let reply: OutboundFrame
            if decoded.kind.onlyAddsAMessage {
                reply = try await WriteQueuedSignal.$current.withValue(queued) { try await self.perform(decoded, from: .connection(connection)) }
            } else {
                // It may read what an earlier frame is still writing (an edit after a delete), or its broadcast may
                // overtake theirs (a cursor after a chat): they finish first.
                await earlier?.value
                reply = try await self.perform(decoded, from: .connection(connection))
            }
            // A ping's pong always comes; an `ack` answers only a client that asked with `ref`: the seed's clients read
            // the broadcast of what they sent as the next frame. (Refusals always come; `/actions`, being HTTP, always
            // answers.)
            if case .ping = decoded.kind { return reply }
            let askedForAck = decoded.ref.map { $0 != .null } ?? false
            return askedForAck ? reply : nil
        } catch let error as DomainError {
            return .error(error, ref: decoded.ref, sessionID: connection.sessionID)
        } catch {
            return .error(code: .internalError, message: "The message could not be processed", ref: decoded.ref, sessionID: connection.sessionID)
        }
    }

    /// Performs a client message and returns its answer (`ack` with the stored event id, or `pong`); refusals throw
    /// `DomainError` (PERMISSION_DENIED, VALIDATION_FAILED ...), and nothing is stored or broadcast then.
    func perform(_ message: ClientMessage, from sender: Sender) async throws -> OutboundFrame {
        self.hub.counters.add(.messagesIn)
        do {
            let eventID = try await self.eventID(performing: message.kind, from: sender)
            if case .ping = message.kind { return .pong(ref: message.ref, sessionID: sender.sessionID) }
            return .ack(ref: message.ref, eventID: eventID, sessionID: sender.sessionID)
        } catch DomainError.invalid(let problems) {
            // Frames have no `errors` list, and an action's refusal is a 400 like any malformed frame.
            throw DomainError.rejectedMessage(errorCode: .validationFailed, DomainError.invalid(problems).clientMessage)
        }
    }

    private func eventID(performing kind: ClientMessage.Kind, from sender: Sender) async throws -> Int64? {
        let user = sender.user
        switch kind {
        case .chat(let draft), .codeComment(let draft):
            return try await self.messages.post(draft, in: self.access(of: sender, for: .contribute), by: user).eventID
        case .reaction(let messageID, let emoji, let add):
            let access = try await self.access(of: sender, for: .contribute)
            return add
                ? try await self.messages.react(ReactionDraft(emoji: emoji), messageID: messageID, in: access, by: user).eventID
                : try await self.messages.unreact(emoji: emoji, messageID: messageID, in: access, by: user).eventID
        case .sessionUpdate(let changes):
            return try await self.sessions.update(with: changes, in: self.access(of: sender, for: changes.requiredAction), by: user).eventID
        case .editMessage(let messageID, let content):
            let access = try await self.access(of: sender, for: .contribute)
            return try await self.messages.edit(messageID: messageID, with: MessageEdit(content: content), in: access, by: user).eventID
        case .deleteMessage(let messageID):
            return try await self.messages.delete(messageID: messageID, in: self.access(of: sender, for: .contribute), by: user).eventID
        case .directMessage(let draft):
            return try await self.messages.sendDirect(draft, in: self.access(of: sender, for: .contribute), by: user).eventID
        case .cursor(let cursor):
            try await self.share(cursor.json, as: .cursorUpdate, key: "cursor", from: sender) { $0.cursor = cursor.json }
        case .viewport(let viewport):
            try await self.share(viewport.json, as: .viewportUpdate, key: "viewport", from: sender) { $0.viewport = viewport.json }
        case .presence(let status):
            try await self.share(.string(status.rawValue), as: .presenceUpdate, key: "status", from: sender) { $0.status = status }
        case .auth(let token):
            guard case .connection(let connection) = sender else {
                throw DomainError.rejectedMessage(errorCode: .validationFailed, "auth renews a WebSocket connection's token; REST calls send theirs")
            }
            let identity = try await self.authenticator.identity(forToken: token)
            guard identity.user.id == connection.user.id else {
                throw DomainError.rejectedMessage(errorCode: .validationFailed, "token: belongs to another user")
            }
            connection.subscriber.tokenExpiry = identity.expiresAt
            // A renewed token does not renew access: a user removed meanwhile is closed (4403) instead.
            try await self.hub.refreshRole(of: connection.subscriber)
        case .ping:
            try await self.requireObserver(sender)
        }
        return nil
    }

    /// A connection was let in when it opened; a REST call must see the session, even for a message that changes
    /// nothing (a ping), or /actions would answer for sessions that do not exist.
    private func requireObserver(_ sender: Sender) async throws {
        if case .request = sender { _ = try await self.sessions.authorize(.observe, sessionID: sender.sessionID, user: sender.user) }
    }

    /// A connection's standing was checked when it opened and is kept current by the hub; a REST call's is read now,
    /// and so is a connection's while the hub re-checks it.
    private func access(of sender: Sender, for action: SessionRole.Action) async throws -> SessionAccess {
        if case .connection(let connection) = sender, let access = connection.access { return access }
        return try await self.sessions.access(action, sessionID: sender.sessionID, user: sender.user)
    }

    /// Records and broadcasts an ephemeral change (cursor, viewport, status) of the sender's presence. Cursor and
    /// viewport go to everyone but the sender; a lagging subscriber gets only the newest of each per user.
    private func share(
        _ value: JSONValue, as kind: EphemeralSignal.Kind, key: String, from sender: Sender, change: (inout PresenceEntry) -> Void
    ) async throws {
        let (user, sessionID) = (sender.user, sender.sessionID)
        try await self.requireObserver(sender)
        if let returned = self.hub.presence.touch(sessionID: sessionID, userID: user.id, change: change) {
            try await self.hub.announceArrival(sessionID: sessionID, snapshot: returned.snapshot)
        }
        let signal = EphemeralSignal(
            sessionID: sessionID,
            kind: kind,
            fields: ["user_id": .string(user.id), key: value],
            excludedUserID: kind == .presenceUpdate ? nil : user.id,
            coalescingKey: "\(key):\(user.id)"
        )
        self.hub.broadcast(signal)
    }

    /// Any message from a connection counts as presence: a user whose entry went stale is announced again.
    private func noteActivity(of connection: LiveConnection) async {
        if let returned = self.hub.presence.touch(sessionID: connection.sessionID, userID: connection.user.id) {
            try? await self.hub.announceArrival(sessionID: connection.sessionID, snapshot: returned.snapshot)
        }
    }
}

extension ClientMessage.Kind {
    /// Adds a message and reads nothing an earlier frame of its connection may still be writing: a new message's id
    /// is the server's, so no frame sent before its ack can name it. Such frames may overlap earlier ones' commits.
    var onlyAddsAMessage: Bool {
        switch self {
        case .chat, .codeComment, .directMessage: true
        case .reaction, .sessionUpdate, .editMessage, .deleteMessage, .cursor, .viewport, .presence, .auth, .ping: false
        }
    }
}
