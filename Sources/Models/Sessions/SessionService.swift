import Foundation

/// Creating, reading, changing, sharing and deleting sessions, with the access rules of DESIGN.md.
public struct SessionService: Sendable {
    let store: any SessionStore & MembershipStore
    let publisher: any EventPublisher
    let maxSessionsPerUser: Int
    let now: @Sendable () -> Date

    public init(
        store: any SessionStore & MembershipStore,
        publisher: any EventPublisher,
        maxSessionsPerUser: Int,
        now: @escaping @Sendable () -> Date = WireFormat.now
    ) {
        self.store = store
        self.publisher = publisher
        self.maxSessionsPerUser = maxSessionsPerUser
        self.now = now
    }

    public func create(_ draft: SessionDraft, by user: User) async throws -> CodingSession {
        let problems = SessionValidation.problems(in: draft)
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        if let teamID = draft.teamID { try await self.requireMembership(user: user, teamID: teamID) }
        let now = self.now()
        let visibility = draft.visibility ?? .private
        let session = CodingSession(
            id: UUID().uuidString.lowercased(), ownerID: user.id, pid: draft.pid, type: draft.type, status: draft.status ?? .active,
            startTime: draft.startTime ?? now, lastActivity: now, workingDirectory: draft.workingDirectory,
            tokenCount: draft.tokenCount ?? 0, tokenLimit: draft.tokenLimit, healthScore: draft.healthScore,
            messageCount: draft.messageCount ?? 0, fileCount: draft.fileCount ?? 0, errorCount: draft.errorCount ?? 0,
            tags: draft.tags ?? [], projectName: draft.projectName, description: draft.description, teamID: draft.teamID,
            visibility: visibility, sharedAt: visibility == .private ? nil : now, hostname: draft.hostname,
            createdAt: now, updatedAt: now, role: .host
        )
        guard try await self.store.insertSession(session, snapshot: SessionSnapshot(of: session, at: now), maxOwned: self.maxSessionsPerUser) else {
            throw DomainError.conflict("You own \(self.maxSessionsPerUser) sessions, the most allowed; delete one first")
        }
        return session
    }

    /// The session with the caller's role; 404 when it does not exist or the caller may not see it.
    public func session(id: String, for user: User) async throws -> CodingSession {
        try await self.sessionAndRole(id: id, for: user).session
    }

    private func sessionAndRole(id: String, for user: User) async throws -> (session: CodingSession, role: SessionRole) {
        guard let (session, relation) = try await self.store.session(id: id, for: user.id), let role = relation.role else {
            throw DomainError.notFound("Session not found")
        }
        return (session, role)
    }

    /// The role `userID` has in the session, nil without access (or when the session does not exist).
    public func role(of userID: String, inSessionID sessionID: String) async throws -> SessionRole? {
        try await self.store.session(id: sessionID, for: userID)?.relation.role
    }

    /// The caller's session and role, requiring `action`: 404 without access, 403 with too small a role.
    public func authorize(_ action: SessionRole.Action, sessionID: String, user: User) async throws -> CodingSession {
        let (session, role) = try await self.sessionAndRole(id: sessionID, for: user)
        try SessionAccess(sessionID: session.id, role: role).require(action)
        return session
    }

    /// The caller's standing in the session, requiring `action`: 404 without access, 403 with too small a role.
    public func access(_ action: SessionRole.Action, sessionID: String, user: User) async throws -> SessionAccess {
        let (session, role) = try await self.sessionAndRole(id: sessionID, for: user)
        let access = SessionAccess(sessionID: session.id, role: role)
        try access.require(action)
        return access
    }

    public func list(for user: User, matching query: SessionQuery, page: PageRequest) async throws -> Page<CodingSession> {
        try await self.store.sessions(visibleTo: user.id, matching: query, page: page)
    }

    public func update(sessionID: String, with changes: SessionChanges, by user: User) async throws -> Recorded<CodingSession> {
        try await self.update(with: changes, in: self.access(changes.requiredAction, sessionID: sessionID, user: user), by: user)
    }

    /// Changes a session with a standing already known (the caller's checked access, or a live connection's).
    public func update(with changes: SessionChanges, in session: SessionAccess, by user: User) async throws -> Recorded<CodingSession> {
        let action = changes.requiredAction
        try session.require(action)
        let problems = SessionValidation.problems(in: changes)
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        if case .some(.some(let teamID)) = changes.teamID { try await self.requireMembership(user: user, teamID: teamID) }
        let now = self.now()
        // Applied to the session as stored when the write runs, not as read above: a concurrent change stays.
        let (updated, stored) = try await self.store.updateSession(id: session.sessionID, for: user.id) { current in
            // And by the role as of the write: a demotion since the check above refuses the change.
            guard let role = current.role else { throw DomainError.notFound("Session not found") }
            try SessionAccess(sessionID: current.id, role: role).require(action)
            var revised = current
            revised.apply(changes, at: now)
            let changed = try current.changedFields(to: revised)
            // Nothing really changed: nothing to store, log or announce, and no activity to record.
            guard !changed.isEmpty else { return nil }
            let event = NewSessionEvent(
                sessionID: current.id,
                type: .sessionUpdate,
                actorID: user.id,
                payload: ["changes": .object(changed), "updated_by": .string(user.id)]
            )
            return SessionRevision(session: revised, snapshot: changes.touchesMetrics ? SessionSnapshot(of: revised, at: now) : nil, event: event)
        }
        if stored != nil, changes.touchesSharing { self.publisher.accessChanged(.session(id: session.sessionID)) }
        return Recorded(updated, eventID: stored?.id)
    }

    /// Deletes a session: owners only (a host who is not an owner may manage it, not destroy it).
    public func delete(sessionID: String, by user: User) async throws {
        let session = try await self.session(id: sessionID, for: user)
        guard session.ownerID == user.id else { throw DomainError.forbidden("Only the session's owner may delete it") }
        try await self.store.deleteSession(id: session.id)
        self.publisher.accessChanged(.sessionDeleted(id: session.id))
    }

    public func history(sessionID: String, for user: User, page: PageRequest) async throws -> Page<SessionSnapshot> {
        _ = try await self.authorize(.observe, sessionID: sessionID, user: user)
        return try await self.store.history(sessionID: sessionID, page: page)
    }

    public func events(sessionID: String, type: SessionEvent.Kind?, for user: User, page: PageRequest) async throws -> Page<SessionEvent> {
        _ = try await self.authorize(.observe, sessionID: sessionID, user: user)
        return try await self.store.events(sessionID: sessionID, type: type, viewerID: user.id, page: page)
    }

    /// The newest event id of a session the caller was already authorized for.
    public func latestEventID(sessionID: String) async throws -> Int64 {
        try await self.store.latestEventID(sessionID: sessionID)
    }

    private func requireMembership(user: User, teamID: String) async throws {
        // 403 whether the team exists or not: its existence is not revealed to outsiders.
        guard try await self.store.teamRole(userID: user.id, teamID: teamID) != nil else {
            throw DomainError.forbidden("team_id must be a team you belong to")
        }
    }
}
