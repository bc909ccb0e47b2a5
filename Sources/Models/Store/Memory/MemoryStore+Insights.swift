import Foundation

extension MemoryStore {
    struct StoredInsight: Sendable {
        let id: String
        let authorID: String?
        var teamID: String?
        var sessionID: String?
        var insightType: InsightType
        var title: String
        var content: String
        var tags: [String]
        var views = 0
        let createdAt: Date
        var updatedAt: Date
    }

    public func insertInsight(_ insight: Insight) async throws {
        try self.write { tables in
            try tables.require(users: insight.authorID)
            try tables.require(team: insight.teamID)
            try tables.require(session: insight.sessionID)
            tables.insights[insight.id] = StoredInsight(
                id: insight.id, authorID: insight.authorID, teamID: insight.teamID, sessionID: insight.sessionID,
                insightType: insight.insightType, title: insight.title, content: insight.content, tags: insight.tags,
                createdAt: insight.createdAt, updatedAt: insight.updatedAt
            )
        }
    }

    public func insight(id: String, for userID: String) async throws -> Insight? {
        try self.read { tables in
            tables.insights[id].flatMap { tables.isVisible($0, to: userID) ? tables.insight($0, for: userID) : nil }
        }
    }

    public func insights(visibleTo userID: String, matching query: InsightQuery, page: PageRequest) async throws -> Page<Insight> {
        try self.read { tables in
            let text = query.text.map(NoCase.init)
            let selected = tables.insights.values.filter { insight in
                guard tables.isVisible(insight, to: userID) else { return false }
                if let teamID = query.teamID, teamID != insight.teamID { return false }
                if let type = query.insightType, type != insight.insightType { return false }
                if let sessionID = query.sessionID, sessionID != insight.sessionID { return false }
                if let tag = query.tag, !insight.tags.contains(tag) { return false }
                return text.map { NoCase(insight.title).contains($0) || NoCase(insight.content).contains($0) } ?? true
            }
            // Newest first, or most upvoted first.
            let sortValue = { (insight: Insight) in query.top ? SortValue.number(insight.upvotes) : .time(insight.createdAt) }
            return Page(sorting: selected.map { tables.insight($0, for: userID) }, by: sortValue, id: \.id, descending: true, page: page)
        }
    }

    public func updateInsight(_ insight: Insight) async throws {
        try self.write { tables in
            guard var stored = tables.insights[insight.id] else { return }
            try tables.require(team: insight.teamID)
            try tables.require(session: insight.sessionID)
            stored.teamID = insight.teamID
            stored.sessionID = insight.sessionID
            stored.insightType = insight.insightType
            stored.title = insight.title
            stored.content = insight.content
            stored.tags = insight.tags
            stored.updatedAt = insight.updatedAt
            tables.insights[insight.id] = stored
        }
    }

    public func deleteInsight(id: String) async throws {
        try self.write { tables in
            tables.insights[id] = nil
            tables.votes[id] = nil
        }
    }

    public func recordView(insightID: String) async throws {
        try self.write { tables in tables.insights[insightID]?.views += 1 }
    }

    public func setVote(insightID: String, userID: String, voted: Bool) async throws {
        try self.write { tables in
            if voted {
                guard tables.insights[insightID] != nil else { throw DomainError.referenceDeleted }
                try tables.require(users: userID)
                tables.votes[insightID, default: []].insert(userID)
            } else {
                tables.votes[insightID]?.remove(userID)
            }
        }
    }
}

extension MemoryStore.Tables {
    /// Shared with everyone, or with a team the user is in.
    fileprivate func isVisible(_ insight: MemoryStore.StoredInsight, to userID: String) -> Bool {
        insight.teamID.map { self.members[$0]?[userID] != nil } ?? true
    }

    /// The insight as `userID` reads it; its upvotes are its votes, as SQLite recounts them with every vote.
    fileprivate func insight(_ stored: MemoryStore.StoredInsight, for userID: String) -> Insight {
        let voters = self.votes[stored.id] ?? []
        return Insight(
            id: stored.id, authorID: stored.authorID, authorUsername: self.username(of: stored.authorID), teamID: stored.teamID,
            sessionID: stored.sessionID, insightType: stored.insightType, title: stored.title, content: stored.content, tags: stored.tags,
            views: stored.views, upvotes: voters.count, upvoted: voters.contains(userID), createdAt: stored.createdAt,
            updatedAt: stored.updatedAt
        )
    }
}
