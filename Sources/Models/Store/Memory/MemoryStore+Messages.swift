import Foundation

extension MemoryStore {
    /// A message as SQLite's row holds it: a deleted one keeps an emptied text, which reads as none.
    struct StoredMessage: Sendable {
        /// The order of a session's messages: SQLite's AUTOINCREMENT seq.
        let seq: Int64
        let id: String
        let sessionID: String
        let userID: String?
        let type: MessageType
        var content: String
        var mentions: [String]
        let file: String?
        let line: Int?
        var codeSnippet: String?
        let parentID: String?
        let toUserID: String?
        let createdAt: Date
        var editedAt: Date?
        var deletedAt: Date?

        /// Others' direct messages are not the viewer's to read or count.
        func isVisible(to viewerID: String) -> Bool {
            self.type != .direct || self.userID == viewerID || self.toUserID == viewerID
        }
    }

    struct StoredReaction: Sendable {
        let userID: String
        let emoji: String
        let createdAt: Date
    }

    public func insertMessage(_ message: SessionMessage, event: NewSessionEvent) async throws -> SessionEvent {
        try self.write { tables in
            try tables.require(session: message.sessionID)
            try tables.require(users: message.userID, message.toUserID)
            if let parentID = message.parentID, tables.messages[parentID] == nil { throw DomainError.referenceDeleted }
            try tables.requireReferences(of: event)
            tables.lastMessageSeq += 1
            tables.messages[message.id] = StoredMessage(
                seq: tables.lastMessageSeq, id: message.id, sessionID: message.sessionID, userID: message.userID, type: message.type,
                content: message.content ?? "", mentions: message.mentions, file: message.file, line: message.line,
                codeSnippet: message.codeSnippet, parentID: message.parentID, toUserID: message.toUserID, createdAt: message.createdAt
            )
            tables.sessions[message.sessionID]?.lastActivity = message.createdAt
            return tables.append(event, at: message.createdAt)
        }
    }

    public func message(id: String, sessionID: String) async throws -> SessionMessage? {
        try self.read { tables in tables.messages[id].flatMap { $0.sessionID == sessionID ? tables.message($0) : nil } }
    }

    public func messages(
        sessionID: String, viewerID: String, matching query: MessageQuery, page: PageRequest
    ) async throws
        -> Page<SessionMessage>
    {
        try self.read { tables in
            // Backwards when asked for messages before one (or when continuing such a listing): newest first, then reversed.
            let backwards = query.before != nil || page.cursor?.key == "before"
            var bound: Int64?
            if let cursor = page.cursor, let seq = Int64(cursor.id) {
                bound = seq
            } else if let anchor = query.before ?? query.after {
                guard let message = tables.messages[anchor], message.sessionID == sessionID else {
                    throw DomainError.invalid(query.before != nil ? "before" : "after", "names no message of this session")
                }
                bound = message.seq
            }
            let selected = tables.messages.values.filter { message in
                guard message.sessionID == sessionID, message.isVisible(to: viewerID) else { return false }
                if let type = query.type, type != message.type { return false }
                if let parentID = query.parentID, parentID != message.parentID { return false }
                if let file = query.file, file != message.file { return false }
                return bound.map { backwards ? message.seq < $0 : message.seq > $0 } ?? true
            }
            let ordered = selected.sorted { backwards ? $0.seq > $1.seq : $0.seq < $1.seq }.prefix(page.limit + 1)
            let paged = Page(fetched: Array(ordered), limit: page.limit) { PageCursor(key: backwards ? "before" : nil, id: String($0.seq)) }
            let items: [StoredMessage] = backwards ? paged.items.reversed() : paged.items
            return Page(items: items.map { tables.message($0) }, nextCursor: paged.nextCursor)
        }
    }

    public func updateMessageContent(
        id: String, content: String, mentions: [String], editedAt: Date, event: @escaping @Sendable (SessionMessage) throws -> NewSessionEvent
    ) async throws -> (SessionMessage, SessionEvent) {
        try self.write { tables in
            // As SQLite's UPDATE by id: a message deleted meanwhile takes the text too, which it then does not show.
            guard var stored = tables.messages[id] else { throw DomainError.notFound("Message not found") }
            stored.content = content
            stored.mentions = mentions
            stored.editedAt = editedAt
            let updated = tables.message(stored)
            let encoded = try JSONValue(encoding: updated)
            let newEvent = try event(updated)
            try tables.requireReferences(of: newEvent)
            tables.messages[id] = stored
            tables.rewriteLoggedText(of: updated, encoded: encoded)
            return (updated, tables.append(newEvent, at: editedAt))
        }
    }

    public func softDeleteMessage(id: String, at time: Date, event: NewSessionEvent) async throws -> SessionEvent {
        try self.write { tables in
            // A concurrent delete got there first: one message_deleted event, not two.
            guard var stored = tables.messages[id], stored.deletedAt == nil else { throw DomainError.notFound("Message not found") }
            try tables.requireReferences(of: event)
            // The text goes at once: "deleted" should mean gone, not hidden. The row stays so threads keep their shape.
            stored.content = ""
            stored.mentions = []
            stored.codeSnippet = nil
            stored.deletedAt = time
            let deleted = tables.message(stored, reactions: [])
            let encoded = try JSONValue(encoding: deleted)
            tables.messages[id] = stored
            tables.reactions[id] = nil
            tables.rewriteLoggedText(of: deleted, encoded: encoded)
            return tables.append(event, at: time)
        }
    }

    public func addReaction(
        messageID: String, userID: String, emoji: String, event: @escaping @Sendable ([ReactionSummary]) throws -> NewSessionEvent
    )
        async throws -> (reactions: [ReactionSummary], event: SessionEvent)?
    {
        let now = self.now()
        return try self.write { tables in
            let reactions = tables.reactions[messageID] ?? []
            // Once per user and emoji, checked in the write: parallel requests add one reaction and record one event.
            guard !reactions.contains(where: { $0.userID == userID && $0.emoji == emoji }) else { return nil }
            guard tables.messages[messageID] != nil else { throw DomainError.referenceDeleted }
            try tables.require(users: userID)
            let added = reactions + [StoredReaction(userID: userID, emoji: emoji, createdAt: now)]
            return try tables.replaceReactions(of: messageID, with: added, event: event, at: now)
        }
    }

    public func removeReaction(
        messageID: String, userID: String, emoji: String, event: @escaping @Sendable ([ReactionSummary]) throws -> NewSessionEvent
    )
        async throws -> (reactions: [ReactionSummary], event: SessionEvent)?
    {
        let now = self.now()
        return try self.write { tables in
            var reactions = tables.reactions[messageID] ?? []
            guard let index = reactions.firstIndex(where: { $0.userID == userID && $0.emoji == emoji }) else { return nil }
            reactions.remove(at: index)
            return try tables.replaceReactions(of: messageID, with: reactions, event: event, at: now)
        }
    }

    public func participantIDs(sessionID: String, usernames: [String]) async throws -> [String] {
        try self.read { tables in
            let names = Set(usernames.map(NoCase.init))
            // By username, as SQLite walks the IN list (its query states no order).
            return (tables.participants[sessionID] ?? [:]).keys.compactMap { tables.users[$0]?.user }
                .filter { names.contains(NoCase($0.username)) }
                .sorted { NoCase($0.username).bytes.lexicographicallyPrecedes(NoCase($1.username).bytes) }
                .map(\.id)
        }
    }
}

extension MemoryStore.Tables {
    /// The message as read back: with its author's username and its reactions, and no text once deleted.
    func message(_ stored: MemoryStore.StoredMessage, reactions: [ReactionSummary]? = nil) -> SessionMessage {
        let isDeleted = stored.deletedAt != nil
        return SessionMessage(
            id: stored.id, sessionID: stored.sessionID, userID: stored.userID, username: self.username(of: stored.userID), type: stored.type,
            content: isDeleted ? nil : stored.content, mentions: stored.mentions, file: stored.file, line: stored.line,
            codeSnippet: isDeleted ? nil : stored.codeSnippet, parentID: stored.parentID, toUserID: stored.toUserID,
            createdAt: stored.createdAt, editedAt: stored.editedAt, deletedAt: stored.deletedAt,
            reactions: reactions ?? Self.summaries(of: self.reactions[stored.id] ?? [])
        )
    }

    /// Reactions by emoji, the emoji first used first (ties by emoji), each with its users by id (the order SQLite's
    /// grouping gives them; its query states none).
    static func summaries(of reactions: [MemoryStore.StoredReaction]) -> [ReactionSummary] {
        Dictionary(grouping: reactions, by: \.emoji)
            .map { emoji, group in
                // Grouping makes no empty group.
                let first = group.map { SortValue.time($0.createdAt) }.min()!
                return (
                    first: first, summary: ReactionSummary(emoji: emoji, count: group.count, userIDs: group.map(\.userID).sorted(by: binaryPrecedes))
                )
            }
            .sorted { $0.first == $1.first ? binaryPrecedes($0.summary.emoji, $1.summary.emoji) : $0.first < $1.first }
            .map(\.summary)
    }

    /// Stores a message's reactions as `reactions` and logs the event `event` makes of their summaries.
    fileprivate mutating func replaceReactions(
        of messageID: String, with reactions: [MemoryStore.StoredReaction], event: ([ReactionSummary]) throws -> NewSessionEvent, at time: Date
    ) throws -> (reactions: [ReactionSummary], event: SessionEvent) {
        let summaries = Self.summaries(of: reactions)
        let newEvent = try event(summaries)
        try self.requireReferences(of: newEvent)
        self.reactions[messageID] = reactions.isEmpty ? nil : reactions
        return (summaries, self.append(newEvent, at: time))
    }
}
