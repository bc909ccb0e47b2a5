import Foundation

extension MemoryStore {
    /// A logged event with the message whose text its payload carries, if any.
    struct StoredEvent: Sendable {
        var event: SessionEvent
        let messageID: String?
    }

    public func events(sessionID: String, type: SessionEvent.Kind?, viewerID: String, page: PageRequest) async throws -> Page<SessionEvent> {
        try self.read { tables in
            // Direct messages only for their two users, filtered before the page is cut so that every page is full.
            let readable = (tables.events[sessionID] ?? []).lazy.map(\.event).filter { event in
                (event.recipientID == nil || event.recipientID == viewerID || event.actorID == viewerID) && type.map { $0 == event.type } ?? true
            }
            return Page(positioned: readable, by: \.id, page: page)
        }
    }

    public func latestEventID(sessionID: String) async throws -> Int64 {
        try self.read { $0.events[sessionID]?.last?.event.id ?? 0 }
    }
}

extension MemoryStore.Tables {
    /// What SQLite's foreign keys require of an event: its session and actor exist.
    func requireReferences(of event: NewSessionEvent) throws {
        try self.require(session: event.sessionID)
        try self.require(users: event.actorID)
    }

    /// Appends to the log as the last step of a write (its references checked first); `write` publishes it.
    mutating func append(_ event: NewSessionEvent, at time: Date) -> SessionEvent {
        self.lastEventID += 1
        let stored = event.stored(id: self.lastEventID, at: time)
        self.events[event.sessionID, default: []].append(MemoryStore.StoredEvent(event: stored, messageID: event.messageID))
        self.unpublished.append(stored)
        return stored
    }

    /// Brings every logged copy of a message to its current text, `message` as `JSONValue(encoding:)` gives it (see
    /// `LoggedMessageText`).
    mutating func rewriteLoggedText(of message: SessionMessage, encoded: JSONValue) {
        guard case .object(let current) = encoded else { return }
        for (index, stored) in (self.events[message.sessionID] ?? []).enumerated() where stored.messageID == message.id {
            let event = stored.event
            self.events[message.sessionID]?[index].event = SessionEvent(
                id: event.id, sessionID: event.sessionID, type: event.type, actorID: event.actorID, recipientID: event.recipientID,
                createdAt: event.createdAt, payload: LoggedMessageText.rewrite(event.payload, to: current)
            )
        }
    }
}
