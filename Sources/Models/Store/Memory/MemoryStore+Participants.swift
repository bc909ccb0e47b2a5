import Foundation

extension MemoryStore {
    struct StoredParticipant: Sendable {
        /// The order participants are listed in: SQLite's rowid.
        let position: Int64
        var role: SessionRole
        let invitedBy: String?
        let joinedAt: Date
        var leftAt: Date?
        var lastSeen: Date?
        var isActive = false
    }

    public func participants(sessionID: String, page: PageRequest) async throws -> Page<Participant> {
        try self.read { tables in
            let ordered = (tables.participants[sessionID] ?? [:]).sorted { $0.value.position < $1.value.position }
            return Page(positioned: ordered, by: { $0.value.position }, page: page).map { tables.participant(userID: $0.key, $0.value) }
        }
    }

    public func participant(sessionID: String, userID: String) async throws -> Participant? {
        try self.read { tables in tables.participants[sessionID]?[userID].map { tables.participant(userID: userID, $0) } }
    }

    public func insertParticipant(
        sessionID: String, userID: String, role: SessionRole, invitedBy: String, event: NewSessionEvent
    )
        async throws -> (Participant, SessionEvent)
    {
        let now = self.now()
        return try self.write { tables in
            guard tables.participants[sessionID]?[userID] == nil else {
                throw DomainError.conflict("That user already takes part in this session")
            }
            try tables.require(session: sessionID)
            try tables.require(users: userID, invitedBy)
            try tables.requireReferences(of: event)
            tables.lastParticipantPosition += 1
            let stored = StoredParticipant(position: tables.lastParticipantPosition, role: role, invitedBy: invitedBy, joinedAt: now)
            tables.participants[sessionID, default: [:]][userID] = stored
            return (tables.participant(userID: userID, stored), tables.append(event, at: now))
        }
    }

    public func updateParticipantRole(
        sessionID: String, userID: String, role: SessionRole, event: NewSessionEvent
    ) async throws
        -> SessionEvent
    {
        let now = self.now()
        return try self.write { tables in
            // Logged even when there is no such participant, as SQLite's UPDATE of no row is no error.
            try tables.requireReferences(of: event)
            tables.participants[sessionID]?[userID]?.role = role
            return tables.append(event, at: now)
        }
    }

    public func deleteParticipant(sessionID: String, userID: String, event: NewSessionEvent) async throws -> SessionEvent {
        let now = self.now()
        return try self.write { tables in
            try tables.requireReferences(of: event)
            tables.participants[sessionID]?[userID] = nil
            return tables.append(event, at: now)
        }
    }

    public func recordPresence(sessionID: String, userID: String, isActive: Bool, event: NewSessionEvent) async throws -> SessionEvent? {
        let now = self.now()
        return try self.write { tables in
            // Only an existing record changes, and only a participant's coming and going is logged.
            guard var participant = tables.participants[sessionID]?[userID] else { return nil }
            try tables.requireReferences(of: event)
            participant.isActive = isActive
            participant.lastSeen = now
            participant.leftAt = isActive ? nil : now
            tables.participants[sessionID]?[userID] = participant
            return tables.append(event, at: now)
        }
    }

    public func userID(matching reference: UserReference) async throws -> String? {
        try self.read { tables in
            let matches: (User) -> Bool =
                switch reference {
                case .id(let id): { $0.id == id }
                case .username(let username): { NoCase($0.username) == NoCase(username) }
                case .email(let email): { NoCase($0.email) == NoCase(email) }
                }
            return tables.users.values.first { $0.user.isActive && matches($0.user) }?.user.id
        }
    }
}

extension MemoryStore.Tables {
    fileprivate func participant(userID: String, _ stored: MemoryStore.StoredParticipant) -> Participant {
        Participant(
            userID: userID, username: self.username(of: userID) ?? "", role: stored.role, invitedBy: stored.invitedBy,
            joinedAt: stored.joinedAt, leftAt: stored.leftAt, lastSeen: stored.lastSeen, isActive: stored.isActive
        )
    }
}
