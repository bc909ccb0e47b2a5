/// Shared insights and their votes.
public protocol InsightStore: MembershipStore {
    func insertInsight(_ insight: Insight) async throws
    /// The insight as `userID` sees it, or nil when it does not exist or is shared with a team they are not in.
    func insight(id: String, for userID: String) async throws -> Insight?
    func insights(visibleTo userID: String, matching query: InsightQuery, page: PageRequest) async throws -> Page<Insight>
    func updateInsight(_ insight: Insight) async throws
    func deleteInsight(id: String) async throws
    func recordView(insightID: String) async throws
    /// Adds or removes the user's vote; idempotent either way.
    func setVote(insightID: String, userID: String, voted: Bool) async throws
}
