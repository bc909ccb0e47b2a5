import Foundation

/// Sessions, their owners, history and event log.
public protocol SessionStore: Sendable {
    /// Inserts a session with its owner (also its host participant) and a first history snapshot, unless the owner
    /// already owns `maxOwned` sessions: counted in the same write, so parallel creates cannot pass the limit. Returns
    /// whether it was inserted.
    func insertSession(_ session: CodingSession, snapshot: SessionSnapshot, maxOwned: Int) async throws -> Bool
    /// The session as `userID` sees it (with `role` filled in from the relation), or nil when it does not exist.
    func session(id: String, for userID: String) async throws -> (session: CodingSession, relation: SessionRelation)?
    /// The sessions `userID` can see, filtered and ordered, one page.
    func sessions(visibleTo userID: String, matching query: SessionQuery, page: PageRequest) async throws -> Page<CodingSession>
    /// Changes a session from its state read inside the write: `revise` gets it (as `userID` sees it) and returns what to
    /// store, or nil when nothing changes. A change made from a stale read could undo a concurrent one (a metrics update
    /// making an unshared session public again); this cannot. Throws `DomainError.notFound` when the session is gone.
    func updateSession(
        id: String, for userID: String, revise: @escaping @Sendable (CodingSession) throws -> SessionRevision?
    ) async throws
        -> (session: CodingSession, event: SessionEvent?)
    func deleteSession(id: String) async throws
    func history(sessionID: String, page: PageRequest) async throws -> Page<SessionSnapshot>
    /// The session's event log after the cursor as `viewerID` may read it (others' direct messages left out), optionally
    /// of one type, oldest first.
    func events(sessionID: String, type: SessionEvent.Kind?, viewerID: String, page: PageRequest) async throws -> Page<SessionEvent>
    /// The id of the session's newest event, 0 when it has none: where a live subscriber that is not resuming starts.
    func latestEventID(sessionID: String) async throws -> Int64
}

/// A session's new state, with the history snapshot and the event to record with it.
public struct SessionRevision: Sendable {
    public let session: CodingSession
    public let snapshot: SessionSnapshot?
    public let event: NewSessionEvent

    public init(session: CodingSession, snapshot: SessionSnapshot?, event: NewSessionEvent) {
        self.session = session
        self.snapshot = snapshot
        self.event = event
    }
}
