/// The port through which committed changes reach live subscribers; the realtime hub's bridge implements it.
///
/// The store calls `publish` once the transaction that appended an event has committed, on its writer, so events
/// arrive in commit order, which is id order: a subscriber that resumes "after id N" relies on it. (Services that
/// published after their `await` could overtake each other.) Domain services never know whether anyone listens.
public protocol EventPublisher: Sendable {
    /// A stored event, in commit order. Must return at once: it runs on the store's writer.
    func publish(_ event: SessionEvent)
    /// Who may see a session may have changed; live connections re-check their access.
    func accessChanged(_ change: AccessChange)
}

/// What changed, so the hub re-checks only the connections it may concern.
public enum AccessChange: Sendable, Equatable, Codable {
    /// Participants, visibility or team of this session changed.
    case session(id: String)
    /// The session no longer exists.
    case sessionDeleted(id: String)
    /// This user's team memberships changed.
    case user(id: String)
    /// A team was deleted: the sessions that were shared with it may have closed.
    case team(id: String, sessionIDs: [String])
    /// This user's password changed: tokens issued before no longer speak for them, so their connections end.
    case credentialsChanged(userID: String)
    /// Changes may have been missed (the bus between nodes was down a moment): every connection re-checks.
    case anyMissed
}

/// For stores and services with nobody listening (tools and unit tests).
public struct DiscardingPublisher: EventPublisher {
    public init() {}
    public func publish(_ event: SessionEvent) {}
    public func accessChanged(_ change: AccessChange) {}
}
