/// Where a caller stands in a session: checked against the store per REST call, or kept by a live connection from
/// its opening (the hub re-checks it whenever participants, sharing or teams change), so a chat frame costs no
/// authorization query.
public struct SessionAccess: Sendable, Equatable {
    public let sessionID: String
    public let role: SessionRole

    public init(sessionID: String, role: SessionRole) {
        self.sessionID = sessionID
        self.role = role
    }

    /// 403 unless the role permits `action`.
    public func require(_ action: SessionRole.Action) throws {
        guard self.role.permits(action) else {
            throw DomainError.forbidden("Your role in this session (\(self.role.rawValue)) does not allow this")
        }
    }
}
