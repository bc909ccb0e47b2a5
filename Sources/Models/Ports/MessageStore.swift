import Foundation

/// Session messages and reactions. Each write appends its event in the same transaction.
public protocol MessageStore: Sendable {
    /// Inserts a message (with its mentions resolved by the service) and its event.
    func insertMessage(_ message: SessionMessage, event: NewSessionEvent) async throws -> SessionEvent
    func message(id: String, sessionID: String) async throws -> SessionMessage?
    /// Messages of a session oldest first, hiding other people's direct messages from `viewerID`.
    func messages(sessionID: String, viewerID: String, matching query: MessageQuery, page: PageRequest) async throws -> Page<SessionMessage>
    func updateMessageContent(
        id: String, content: String, mentions: [String], editedAt: Date, event: @escaping @Sendable (SessionMessage) throws -> NewSessionEvent
    )
        async throws -> (SessionMessage, SessionEvent)
    func softDeleteMessage(id: String, at time: Date, event: NewSessionEvent) async throws -> SessionEvent
    /// Adds a reaction; returns nil when the user had already reacted with that emoji (nothing changes).
    func addReaction(
        messageID: String, userID: String, emoji: String, event: @escaping @Sendable ([ReactionSummary]) throws -> NewSessionEvent
    ) async throws
        -> (reactions: [ReactionSummary], event: SessionEvent)?
    /// Removes a reaction; returns nil when there was none.
    func removeReaction(
        messageID: String, userID: String, emoji: String, event: @escaping @Sendable ([ReactionSummary]) throws -> NewSessionEvent
    )
        async throws -> (reactions: [ReactionSummary], event: SessionEvent)?
    func messageStats(sessionID: String, viewerID: String) async throws -> MessageStats
    /// The ids of the session's participants among these usernames (case-insensitive): who an @mention reaches.
    func participantIDs(sessionID: String, usernames: [String]) async throws -> [String]
}
