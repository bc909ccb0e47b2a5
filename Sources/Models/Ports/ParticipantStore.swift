/// Participant records of sessions. Every write records its `participant_updated` event in the same transaction.
public protocol ParticipantStore: Sendable {
    func participants(sessionID: String, page: PageRequest) async throws -> Page<Participant>
    func participant(sessionID: String, userID: String) async throws -> Participant?
    /// Inserts a participant; throws `DomainError.conflict` if the user already is one.
    func insertParticipant(
        sessionID: String, userID: String, role: SessionRole, invitedBy: String, event: NewSessionEvent
    ) async throws
        -> (Participant, SessionEvent)
    func updateParticipantRole(sessionID: String, userID: String, role: SessionRole, event: NewSessionEvent) async throws -> SessionEvent
    func deleteParticipant(sessionID: String, userID: String, event: NewSessionEvent) async throws -> SessionEvent
    /// A user's first live connection opened (`isActive`) or their last closed: updates their participant record's
    /// is_active, last_seen and left_at, if they have one, and appends `user_joined`/`user_left`, in one transaction.
    /// Marks a participant present or gone and logs `event`; nil (nothing logged) for a user who is no participant.
    func recordPresence(sessionID: String, userID: String, isActive: Bool, event: NewSessionEvent) async throws -> SessionEvent?
    /// The id of the active user with this username (case-insensitive) or id.
    func userID(matching reference: UserReference) async throws -> String?
}

/// A way a request names another user.
public enum UserReference: Sendable, Equatable {
    case id(String)
    case username(String)
    case email(String)
}
