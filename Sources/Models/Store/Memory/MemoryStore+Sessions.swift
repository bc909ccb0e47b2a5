import Foundation

extension MemoryStore {
    public func insertSession(_ session: CodingSession, snapshot: SessionSnapshot, maxOwned: Int) async throws -> Bool {
        try self.write { tables in
            guard tables.sessions.values.count(where: { $0.ownerID == session.ownerID }) < maxOwned else { return false }
            try tables.require(users: session.ownerID)
            try tables.require(team: session.teamID)
            var stored = session
            stored.role = nil
            tables.sessions[session.id] = stored
            tables.lastParticipantPosition += 1
            tables.participants[session.id, default: [:]][session.ownerID] = StoredParticipant(
                position: tables.lastParticipantPosition, role: .host, invitedBy: nil, joinedAt: session.createdAt
            )
            tables.insert(snapshot)
            return true
        }
    }

    public func session(id: String, for userID: String) async throws -> (session: CodingSession, relation: SessionRelation)? {
        try self.read { $0.session(id: id, for: userID) }
    }

    public func sessions(visibleTo userID: String, matching query: SessionQuery, page: PageRequest) async throws -> Page<CodingSession> {
        try self.read { tables in
            let visible = tables.sessions.keys.compactMap { id -> CodingSession? in
                guard let (session, relation) = tables.session(id: id, for: userID), query.admits(session, relation: relation) else { return nil }
                return session
            }
            return Page(sorting: visible, by: { $0.sortValue(query.sort) }, id: \.id, descending: query.descending, page: page)
        }
    }

    public func updateSession(
        id: String, for userID: String, revise: @escaping @Sendable (CodingSession) throws -> SessionRevision?
    ) async throws -> (session: CodingSession, event: SessionEvent?) {
        try self.write { tables in
            guard let current = tables.session(id: id, for: userID)?.session else { throw DomainError.notFound("Session not found") }
            guard let revision = try revise(current) else { return (current, nil) }
            try tables.require(team: revision.session.teamID)
            try tables.requireReferences(of: revision.event)
            var stored = revision.session
            stored.role = nil
            tables.sessions[id] = stored
            if let snapshot = revision.snapshot { tables.insert(snapshot) }
            return (revision.session, tables.append(revision.event, at: revision.session.updatedAt))
        }
    }

    public func deleteSession(id: String) async throws {
        try self.write { tables in
            guard tables.sessions.removeValue(forKey: id) != nil else { return }
            tables.history[id] = nil
            tables.participants[id] = nil
            tables.events[id] = nil
            for message in tables.messages.values where message.sessionID == id {
                tables.messages[message.id] = nil
                tables.reactions[message.id] = nil
            }
            for insight in tables.insights.values where insight.sessionID == id {
                tables.insights[insight.id]?.sessionID = nil
            }
        }
    }

    public func history(sessionID: String, page: PageRequest) async throws -> Page<SessionSnapshot> {
        try self.read { Page(positioned: $0.history[sessionID] ?? [], by: \.id, page: page) }
    }
}

extension MemoryStore.Tables {
    /// The session with the caller's role, and their relation to it; nil when it does not exist.
    func session(id: String, for userID: String) -> (session: CodingSession, relation: SessionRelation)? {
        guard var session = self.sessions[id] else { return nil }
        let relation = SessionRelation(
            isOwner: session.ownerID == userID,
            participantRole: self.participants[id]?[userID]?.role,
            isTeamMember: session.teamID.map { self.members[$0]?[userID] != nil } ?? false,
            visibility: session.visibility
        )
        session.role = relation.role
        return (session, relation)
    }

    mutating func insert(_ snapshot: SessionSnapshot) {
        self.lastHistoryID += 1
        let stored = SessionSnapshot(
            id: self.lastHistoryID, sessionID: snapshot.sessionID, recordedAt: snapshot.recordedAt, status: snapshot.status,
            tokenCount: snapshot.tokenCount, healthScore: snapshot.healthScore, messageCount: snapshot.messageCount,
            fileCount: snapshot.fileCount, errorCount: snapshot.errorCount
        )
        self.history[snapshot.sessionID, default: []].append(stored)
    }
}

extension SessionQuery {
    /// Whether the caller sees the session (owning it, taking part, or its being shared with everyone or with a team of
    /// theirs) and it passes the filters.
    fileprivate func admits(_ session: CodingSession, relation: SessionRelation) -> Bool {
        let reaches =
            relation.isOwner || relation.participantRole != nil || session.visibility == .public
            || (session.visibility == .team && relation.isTeamMember)
        guard reaches, !self.ownedByCaller || relation.isOwner else { return false }
        if let status = self.status, status != session.status { return false }
        if let type = self.type, type != session.type { return false }
        if let teamID = self.teamID, teamID != session.teamID { return false }
        if let visibility = self.visibility, visibility != session.visibility { return false }
        if let tag = self.tag, !session.tags.contains(tag) { return false }
        if let text = self.text.map(NoCase.init) {
            return [session.projectName, session.description].contains { $0.map { NoCase($0).contains(text) } ?? false }
        }
        return true
    }
}

extension CodingSession {
    fileprivate func sortValue(_ sort: SessionSort) -> SortValue {
        switch sort {
        case .lastActivity: .time(self.lastActivity)
        case .createdAt: .time(self.createdAt)
        case .startTime: .time(self.startTime)
        case .tokenCount: .number(self.tokenCount)
        }
    }
}
