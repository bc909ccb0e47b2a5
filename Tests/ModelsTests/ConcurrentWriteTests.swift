import Foundation
import Models
import Testing

/// Writes that race each other must not undo one another or slip past a quota.
@Suite("Concurrent writes to sessions")
struct ConcurrentWriteTests {
    let store: SQLiteStore
    let sessions: SessionService
    let owner: User

    init() async throws {
        let store = try SQLiteStore.inMemory()
        let accounts = AccountService(store: store, hasher: PlainTextHasher(), refreshTokenLifetime: 3600)
        self.store = store
        self.sessions = SessionService(store: store, publisher: DiscardingPublisher(), maxSessionsPerUser: 3)
        self.owner = try await accounts.register(Registration(email: "ann@example.com", username: "ann", password: "password-1"))
    }

    @Test func anUnshareRacingMetricPatchesAlwaysSticks() async throws {
        for round in 0..<5 {
            var draft = SessionDraft(type: "claude")
            draft.visibility = .public
            let session = try await self.sessions.create(draft, by: self.owner)
            let unshare = { () -> SessionChanges in
                var changes = SessionChanges()
                changes.visibility = .private
                return changes
            }()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for count in 1...20 {
                    group.addTask {
                        var metrics = SessionChanges()
                        metrics.tokenCount = count * 100
                        _ = try await self.sessions.update(sessionID: session.id, with: metrics, by: self.owner)
                    }
                }
                group.addTask { _ = try await self.sessions.update(sessionID: session.id, with: unshare, by: self.owner) }
                try await group.waitForAll()
            }
            let stored = try await self.sessions.session(id: session.id, for: self.owner)
            #expect(stored.visibility == .private, "round \(round)")
            let history = try await self.sessions.history(sessionID: session.id, for: self.owner, page: PageRequest(limit: 200))
            // The creation's snapshot, then one per metrics PATCH, each with its own value.
            #expect(Set(history.items.dropFirst().map(\.tokenCount)) == Set((1...20).map { $0 * 100 }), "round \(round)")
            try await self.sessions.delete(sessionID: session.id, by: self.owner)
        }
    }

    @Test func theSessionQuotaHoldsUnderParallelCreates() async throws {
        let created = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { (try? await self.sessions.create(SessionDraft(type: "claude"), by: self.owner)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(created == 3)
        let listed = try await self.sessions.list(for: self.owner, matching: SessionQuery(), page: PageRequest(limit: 50))
        #expect(listed.items.count == 3)
    }
}
