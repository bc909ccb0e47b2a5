import Foundation

/// Insights: anyone shares with everyone, members share with their team; authors edit; authors and team admins delete.
public struct InsightService: Sendable {
    let store: any InsightStore
    let sessions: SessionService
    let secrets: SecretScreen
    let now: @Sendable () -> Date

    public init(
        store: any InsightStore, sessions: SessionService, secrets: SecretScreen = SecretScreen(policy: .mask),
        now: @escaping @Sendable () -> Date = WireFormat.now
    ) {
        self.store = store
        self.sessions = sessions
        self.secrets = secrets
        self.now = now
    }

    public func create(_ draft: InsightDraft, by user: User) async throws -> Insight {
        var problems: [FieldProblem] = []
        if draft.title == nil { problems.append(FieldProblem(field: "title", message: "is required")) }
        if draft.content == nil { problems.append(FieldProblem(field: "content", message: "is required")) }
        if draft.insightType == nil { problems.append(FieldProblem(field: "insight_type", message: "is required")) }
        problems += Self.problems(in: draft)
        guard problems.isEmpty, let title = draft.title, let content = draft.content, let type = draft.insightType else {
            throw DomainError.invalid(problems)
        }
        try await self.checkReferences(draft, user: user)
        let (texts, masked) = try self.secrets.apply(to: ["title": title, "content": content])
        let now = self.now()
        var insight = Insight(
            id: UUID().uuidString.lowercased(), authorID: user.id, authorUsername: user.username, teamID: draft.teamID,
            sessionID: draft.sessionID, insightType: type, title: texts[0] ?? title, content: texts[1] ?? content, tags: draft.tags ?? [],
            views: 0, upvotes: 0, upvoted: false, createdAt: now, updatedAt: now
        )
        try await self.store.insertInsight(insight)
        insight.maskedSecrets = masked
        return insight
    }

    public func list(for user: User, matching query: InsightQuery, page: PageRequest) async throws -> Page<Insight> {
        try await self.store.insights(visibleTo: user.id, matching: query, page: page)
    }

    /// Reading an insight counts as a view.
    public func read(id: String, by user: User) async throws -> Insight {
        var insight = try await self.visible(id: id, for: user)
        try await self.store.recordView(insightID: id)
        insight.views += 1
        return insight
    }

    public func update(id: String, with draft: InsightDraft, by user: User) async throws -> Insight {
        var insight = try await self.visible(id: id, for: user)
        guard insight.authorID == user.id else { throw DomainError.forbidden("Only its author may edit an insight") }
        let problems = Self.problems(in: draft)
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        try await self.checkReferences(draft, user: user)
        let (texts, masked) = try self.secrets.apply(to: ["title": draft.title, "content": draft.content])
        if let title = texts[0] { insight.title = title }
        if let content = texts[1] { insight.content = content }
        if let type = draft.insightType { insight.insightType = type }
        if let tags = draft.tags { insight.tags = tags }
        if let teamID = draft.teamID { insight.teamID = teamID }
        if let sessionID = draft.sessionID { insight.sessionID = sessionID }
        insight.updatedAt = self.now()
        try await self.store.updateInsight(insight)
        insight.maskedSecrets = masked
        return insight
    }

    public func delete(id: String, by user: User) async throws {
        let insight = try await self.visible(id: id, for: user)
        let isTeamAdmin = try await insight.teamID.asyncMap { try await self.store.teamRole(userID: user.id, teamID: $0) } == .admin
        guard insight.authorID == user.id || isTeamAdmin else {
            throw DomainError.forbidden("Only its author or an admin of its team may delete an insight")
        }
        try await self.store.deleteInsight(id: id)
    }

    /// Votes once per user; repeating either call changes nothing.
    public func vote(id: String, by user: User, upvote: Bool) async throws -> Insight {
        _ = try await self.visible(id: id, for: user)
        try await self.store.setVote(insightID: id, userID: user.id, voted: upvote)
        return try await self.visible(id: id, for: user)
    }

    private func visible(id: String, for user: User) async throws -> Insight {
        guard let insight = try await self.store.insight(id: id, for: user.id) else { throw DomainError.notFound("Insight not found") }
        return insight
    }

    private func checkReferences(_ draft: InsightDraft, user: User) async throws {
        if let teamID = draft.teamID, try await self.store.teamRole(userID: user.id, teamID: teamID) == nil {
            throw DomainError.forbidden("team_id must be a team you belong to")
        }
        if let sessionID = draft.sessionID {
            do {
                _ = try await self.sessions.session(id: sessionID, for: user)
            } catch DomainError.notFound {
                throw DomainError.forbidden("session_id must be a session you can see")
            }
        }
    }

    private static func problems(in draft: InsightDraft) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if let title = draft.title, !(1...200).contains(title.unicodeScalars.count) {
            problems.append(FieldProblem(field: "title", message: "must be 1-200 characters"))
        }
        if let content = draft.content, !(1...20_000).contains(content.unicodeScalars.count) {
            problems.append(FieldProblem(field: "content", message: "must be 1-20000 characters"))
        }
        if let tags = draft.tags, tags.count > 20 || tags.contains(where: { !(1...40).contains($0.unicodeScalars.count) }) {
            problems.append(FieldProblem(field: "tags", message: "must hold at most 20 tags of 1-40 characters"))
        }
        return problems
    }
}

extension Optional {
    func asyncMap<Mapped>(_ transform: (Wrapped) async throws -> Mapped?) async rethrows -> Mapped? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
