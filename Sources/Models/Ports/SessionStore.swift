import Foundation

/// Sessions, their owners, history and event log.
public protocol SessionStore: Sendable {
    func countSessions(ownedBy userID: String) async throws -> Int
    /// Inserts a session with its owner (also its host participant) and a first history snapshot.
    func insertSession(_ session: CodingSession, snapshot: SessionSnapshot) async throws
    /// The session as `userID` sees it (with `role` filled in from the relation), or nil when it does not exist.
    func session(id: String, for userID: String) async throws -> (session: CodingSession, relation: SessionRelation)?
    /// The sessions `userID` can see, filtered and ordered, one page.
    func sessions(visibleTo userID: String, matching query: SessionQuery, page: PageRequest) async throws -> Page<CodingSession>
    /// Saves a changed session, with a history snapshot and an event when given, in one transaction.
    func saveSession(_ session: CodingSession, snapshot: SessionSnapshot?, event: NewSessionEvent?) async throws -> SessionEvent?
    func deleteSession(id: String) async throws
    func history(sessionID: String, page: PageRequest) async throws -> Page<SessionSnapshot>
    /// The session's event log after the cursor, optionally of one type, oldest first.
    func events(sessionID: String, type: String?, page: PageRequest) async throws -> Page<SessionEvent>
    /// The id of the session's newest event, 0 when it has none: where a live subscriber that is not resuming starts.
    func latestEventID(sessionID: String) async throws -> Int64
}

/// Team membership as the session rules need it (teams themselves have their own port).
public protocol MembershipStore: Sendable {
    func isMember(userID: String, teamID: String) async throws -> Bool
}
