/// Team membership: the one question every rule that depends on it asks (sharing a session or an insight with a
/// team, reading a team's analytics, deleting a team insight as its admin).
public protocol MembershipStore: Sendable {
    /// The user's role in the team; nil when they are not a member or the team does not exist (the two are not told
    /// apart).
    func teamRole(userID: String, teamID: String) async throws -> TeamRole?
}
