import Foundation

/// Who takes part in a session and with which role: hosts invite, re-role and remove; anyone may leave.
/// Every change tells live connections to re-check their access (a removed participant's sockets close).
public struct ParticipantService: Sendable {
    let sessions: SessionService
    let store: any ParticipantStore
    let publisher: any EventPublisher

    public init(sessions: SessionService, store: any ParticipantStore, publisher: any EventPublisher) {
        self.sessions = sessions
        self.store = store
        self.publisher = publisher
    }

    public func list(sessionID: String, for user: User, page: PageRequest) async throws -> Page<Participant> {
        _ = try await self.sessions.authorize(.observe, sessionID: sessionID, user: user)
        return try await self.store.participants(sessionID: sessionID, page: page)
    }

    public func invite(_ invite: ParticipantInvite, sessionID: String, by user: User) async throws -> Participant {
        let session = try await self.sessions.authorize(.manage, sessionID: sessionID, user: user)
        let reference: UserReference
        switch (invite.userID, invite.username) {
        case (let id?, nil): reference = .id(id)
        case (nil, let username?): reference = .username(username)
        default: throw DomainError.invalid("user_id", "give exactly one of user_id and username")
        }
        guard let invitedID = try await self.store.userID(matching: reference) else {
            throw DomainError.invalid(invite.userID != nil ? "user_id" : "username", "names no user")
        }
        let event = self.event(session: session, userID: invitedID, role: invite.role.sessionRole, actor: user)
        let (participant, _) = try await self.store.insertParticipant(
            sessionID: session.id,
            userID: invitedID,
            role: invite.role.sessionRole,
            invitedBy: user.id,
            event: event
        )
        self.publisher.accessChanged(.session(id: session.id))
        return participant
    }

    public func changeRole(
        _ change: ParticipantRoleChange, of userID: String, sessionID: String, by user: User
    ) async throws
        -> Participant
    {
        let session = try await self.sessions.authorize(.manage, sessionID: sessionID, user: user)
        var participant = try await self.changeableParticipant(userID, in: session)
        participant.role = change.role.sessionRole
        _ = try await self.store.updateParticipantRole(
            sessionID: session.id,
            userID: userID,
            role: participant.role,
            event: self.event(session: session, userID: userID, role: participant.role, actor: user)
        )
        self.publisher.accessChanged(.session(id: session.id))
        return participant
    }

    /// Removes a participant: a host may remove anyone but an owner; anyone may remove themselves (owners excepted).
    public func remove(userID: String, sessionID: String, by user: User) async throws {
        let session =
            userID == user.id
            ? try await self.sessions.session(id: sessionID, for: user)
            : try await self.sessions.authorize(.manage, sessionID: sessionID, user: user)
        _ = try await self.changeableParticipant(userID, in: session)
        _ = try await self.store.deleteParticipant(
            sessionID: session.id,
            userID: userID,
            event: self.event(session: session, userID: userID, role: nil, actor: user)
        )
        self.publisher.accessChanged(.session(id: session.id))
    }

    /// Logs `user_joined` with the live user (presence) the realtime hub announces, when their first connection opens.
    /// Only participants' arrivals are logged (nil otherwise): others are announced live, not stored.
    public func recordJoin(sessionID: String, userID: String, user: JSONValue) async throws -> SessionEvent? {
        let event = NewSessionEvent(sessionID: sessionID, type: .userJoined, actorID: userID, payload: ["user": user])
        return try await self.store.recordPresence(sessionID: sessionID, userID: userID, isActive: true, event: event)
    }

    /// Logs `user_left` when a user's last connection closed (or their presence went stale); participants only.
    public func recordLeave(sessionID: String, userID: String, username: String) async throws -> SessionEvent? {
        let event = NewSessionEvent(
            sessionID: sessionID, type: .userLeft, actorID: userID, payload: ["user_id": .string(userID), "username": .string(username)])
        return try await self.store.recordPresence(sessionID: sessionID, userID: userID, isActive: false, event: event)
    }

    private func changeableParticipant(_ userID: String, in session: CodingSession) async throws -> Participant {
        guard let participant = try await self.store.participant(sessionID: session.id, userID: userID) else {
            throw DomainError.notFound("No such participant")
        }
        guard userID != session.ownerID else { throw DomainError.conflict("The session's owner is always its host") }
        return participant
    }

    private func event(session: CodingSession, userID: String, role: SessionRole?, actor: User) -> NewSessionEvent {
        NewSessionEvent(
            sessionID: session.id,
            type: .participantUpdated,
            actorID: actor.id,
            payload: ["user_id": .string(userID), "role": role.map { .string($0.rawValue) } ?? .null]
        )
    }
}
