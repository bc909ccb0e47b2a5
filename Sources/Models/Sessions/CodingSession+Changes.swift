import Foundation

extension CodingSession {
    /// Applies a partial update; any change counts as activity, and sharing stamps `shared_at`.
    mutating func apply(_ changes: SessionChanges, at time: Date) {
        if let pid = changes.pid { self.pid = pid }
        if let status = changes.status { self.status = status }
        if let workingDirectory = changes.workingDirectory { self.workingDirectory = workingDirectory }
        if let tokenCount = changes.tokenCount { self.tokenCount = tokenCount }
        if let tokenLimit = changes.tokenLimit { self.tokenLimit = tokenLimit }
        if let healthScore = changes.healthScore { self.healthScore = healthScore }
        if let messageCount = changes.messageCount { self.messageCount = messageCount }
        if let fileCount = changes.fileCount { self.fileCount = fileCount }
        if let errorCount = changes.errorCount { self.errorCount = errorCount }
        if let tags = changes.tags { self.tags = tags }
        if let projectName = changes.projectName { self.projectName = projectName }
        if let description = changes.description { self.description = description }
        if let teamID = changes.teamID { self.teamID = teamID }
        if let hostname = changes.hostname { self.hostname = hostname }
        if let visibility = changes.visibility, visibility != self.visibility {
            self.visibility = visibility
            self.sharedAt = visibility == .private ? nil : time
        }
        self.lastActivity = time
        self.updatedAt = time
    }

    /// The wire fields whose values differ from `other`, with `other`'s values: the `changes` of a session_update event.
    func changedFields(to other: CodingSession) throws -> [String: JSONValue] {
        guard case .object(let before) = try JSONValue(encoding: self), case .object(let after) = try JSONValue(encoding: other) else {
            return [:]
        }
        let bookkeeping: Set<String> = ["updated_at", "last_activity", "role", "shared_at"]
        return after.filter { key, value in !bookkeeping.contains(key) && before[key] != value }
    }
}
