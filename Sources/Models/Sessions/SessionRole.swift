/// A user's role in one session, and the permission matrix of DESIGN.md: the one place it is written down.
public enum SessionRole: String, Sendable, Codable, CaseIterable {
    case host, editor, viewer

    /// What a role may do; REST, WebSocket and SSE all ask `permits(_:)`.
    public enum Action: Sendable, CaseIterable {
        /// Join, see presence, move one's own cursor, viewport and status.
        case observe
        /// Chat, comment, react, direct-message, edit or delete one's own messages.
        case contribute
        /// Change tags, description, status and metrics.
        case updateMetadata
        /// Invite, re-role and remove participants; delete others' messages; share the session.
        case manage
    }

    public func permits(_ action: Action) -> Bool {
        switch action {
        case .observe: true
        case .contribute, .updateMetadata: self != .viewer
        case .manage: self == .host
        }
    }
}

/// How widely a session is shared.
public enum SessionVisibility: String, Sendable, Codable, CaseIterable {
    /// Its owners and invited participants only.
    case `private`
    /// Also every member of its team, as viewers.
    case team
    /// Also every signed-in user, as viewers.
    case `public`
}

/// What a store knows about a user's relation to a session; `role` turns it into the user's role (the access rule).
public struct SessionRelation: Sendable, Equatable {
    public let isOwner: Bool
    public let participantRole: SessionRole?
    public let isTeamMember: Bool
    public let visibility: SessionVisibility

    public init(isOwner: Bool, participantRole: SessionRole?, isTeamMember: Bool, visibility: SessionVisibility) {
        self.isOwner = isOwner
        self.participantRole = participantRole
        self.isTeamMember = isTeamMember
        self.visibility = visibility
    }

    /// Owner -> host; a participant record -> its role; a team member of a team session or anyone for a public one -> viewer;
    /// otherwise no access (callers answer 404, so existence is not revealed).
    public var role: SessionRole? {
        if self.isOwner { return .host }
        if let role = self.participantRole { return role }
        switch self.visibility {
        case .public: return .viewer
        case .team: return self.isTeamMember ? .viewer : nil
        case .private: return nil
        }
    }
}
