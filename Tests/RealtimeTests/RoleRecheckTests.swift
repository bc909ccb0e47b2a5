import Foundation
import Logging
import Models
import NIOEmbedded
import Synchronization
import Testing

@testable import Realtime

/// A session store whose next role read answers what it read only once the test lets it: a slow read racing a change.
final class HeldRoleReadStore: SessionStore, MembershipStore {
    let base: SQLiteStore
    private let holdNext = Atomic(false)
    private let held = Atomic(false)
    private let release = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let readCount = Atomic(0)

    /// Role reads so far.
    var reads: Int { self.readCount.load(ordering: .sequentiallyConsistent) }

    init(base: SQLiteStore) { self.base = base }

    /// The next role read takes its answer, then waits for `releaseHeldRead()`.
    func holdNextRead() { self.holdNext.store(true, ordering: .sequentiallyConsistent) }
    var isHoldingARead: Bool { self.held.load(ordering: .sequentiallyConsistent) }

    func releaseHeldRead() {
        self.release.withLock { $0?.resume() }
    }

    func session(id: String, for userID: String) async throws -> (session: CodingSession, relation: SessionRelation)? {
        let answer = try await self.base.session(id: id, for: userID)
        self.readCount.add(1, ordering: .sequentiallyConsistent)
        if self.holdNext.exchange(false, ordering: .sequentiallyConsistent) {
            await withCheckedContinuation { continuation in
                self.release.withLock { $0 = continuation }
                self.held.store(true, ordering: .sequentiallyConsistent)
            }
        }
        return answer
    }

    func insertSession(_ session: CodingSession, snapshot: SessionSnapshot, maxOwned: Int) async throws -> Bool {
        try await self.base.insertSession(session, snapshot: snapshot, maxOwned: maxOwned)
    }
    func sessions(visibleTo userID: String, matching query: SessionQuery, page: PageRequest) async throws -> Page<CodingSession> {
        try await self.base.sessions(visibleTo: userID, matching: query, page: page)
    }
    func updateSession(
        id: String, for userID: String, revise: @escaping @Sendable (CodingSession) throws -> SessionRevision?
    ) async throws
        -> (session: CodingSession, event: SessionEvent?)
    {
        try await self.base.updateSession(id: id, for: userID, revise: revise)
    }
    func deleteSession(id: String) async throws { try await self.base.deleteSession(id: id) }
    func history(sessionID: String, page: PageRequest) async throws -> Page<SessionSnapshot> {
        try await self.base.history(sessionID: sessionID, page: page)
    }
    func events(sessionID: String, type: SessionEvent.Kind?, viewerID: String, page: PageRequest) async throws -> Page<SessionEvent> {
        try await self.base.events(sessionID: sessionID, type: type, viewerID: viewerID, page: page)
    }
    func latestEventID(sessionID: String) async throws -> Int64 { try await self.base.latestEventID(sessionID: sessionID) }
    func teamRole(userID: String, teamID: String) async throws -> TeamRole? { try await self.base.teamRole(userID: userID, teamID: teamID) }
}

/// Role checks that race changes and each other: the newest read wins, and a connection never outlives its access.
@Suite("Role re-checks")
struct RoleRecheckTests {
    let store: SQLiteStore
    let held: HeldRoleReadStore
    let participants: ParticipantService
    let hub: BroadcastHub
    let host: User
    let editor: User
    let session: CodingSession

    init() async throws {
        let store = try SQLiteStore.inMemory()
        let held = HeldRoleReadStore(base: store)
        let sessions = SessionService(store: held, publisher: DiscardingPublisher(), maxSessionsPerUser: 10)
        self.store = store
        self.held = held
        self.participants = ParticipantService(
            sessions: SessionService(store: store, publisher: DiscardingPublisher(), maxSessionsPerUser: 10), store: store,
            publisher: DiscardingPublisher())
        self.hub = BroadcastHub(
            bridge: InProcessBridge(), sessions: sessions, participants: self.participants,
            limits: RealtimeLimits(
                maxMessageBytes: 65_536, framesPerSecond: 50, subscriberQueueEvents: 100, presenceStaleSeconds: 300, sseHeartbeatSeconds: 15,
                maxConnectionsPerUser: 20
            ),
            logger: Logger(label: "test")
        )
        self.host = try await Self.user("hal", in: store)
        self.editor = try await Self.user("eve", in: store)
        self.session = try await sessions.create(SessionDraft(type: "claude"), by: self.host)
        let invite = try JSONDecoder().decode(ParticipantInvite.self, from: Data(#"{"user_id": "\#(self.editor.id)", "role": "editor"}"#.utf8))
        _ = try await self.participants.invite(invite, sessionID: self.session.id, by: self.host)
    }

    private static func user(_ name: String, in store: SQLiteStore) async throws -> User {
        let user = User(
            id: UUID().uuidString.lowercased(), email: "\(name)@example.com", username: name, fullName: nil, preferences: [:], isActive: true,
            createdAt: Date(), updatedAt: Date()
        )
        try await store.insertUser(user, passwordHash: "unused")
        return user
    }

    private func subscribeEditor() throws -> Subscriber {
        try #require(
            self.hub.subscribe(sessionID: self.session.id, user: self.editor, role: .editor, transport: .webSocket, tokenExpiry: .distantFuture))
    }

    private func makeViewer() async throws {
        let change = try JSONDecoder().decode(ParticipantRoleChange.self, from: Data(#"{"role": "viewer"}"#.utf8))
        _ = try await self.participants.changeRole(change, of: self.editor.id, sessionID: self.session.id, by: self.host)
    }

    @Test func anOlderCheckFinishingLastDoesNotRestoreAnOlderRole() async throws {
        let subscriber = try self.subscribeEditor()
        self.held.holdNextRead()
        let slow = Task { try await self.hub.refreshRole(of: subscriber) }
        try await waitUntil { self.held.isHoldingARead }  // it has read "editor" and is held
        try await self.makeViewer()
        #expect(try await self.hub.refreshRole(of: subscriber) == .viewer)
        self.held.releaseHeldRead()
        _ = try await slow.value
        #expect(subscriber.role == .viewer)
    }

    @Test func aRemovalDuringARecheckClosesTheConnection() async throws {
        let subscriber = try self.subscribeEditor()
        self.held.holdNextRead()
        let slow = Task { try await self.hub.refreshRole(of: subscriber) }
        try await waitUntil { self.held.isHoldingARead }
        try await self.participants.remove(userID: self.editor.id, sessionID: self.session.id, by: self.host)
        #expect(try await self.hub.refreshRole(of: subscriber) == nil)
        self.held.releaseHeldRead()
        _ = try await slow.value
        #expect(subscriber.closeReason == .accessLost)
        #expect(subscriber.role == nil)
    }

    private func gateway(acceptingTokensOf user: User? = nil) -> CollaborationGateway {
        let sessions = SessionService(store: self.held, publisher: DiscardingPublisher(), maxSessionsPerUser: 10)
        return CollaborationGateway(
            hub: self.hub, sessions: sessions, messages: MessageService(sessions: sessions, store: self.store),
            participants: self.participants, authenticator: TokensOf(user: user)
        )
    }

    @Test func aDeletedTeamRechecksOnlyTheSessionsThatWereSharedWithIt() async throws {
        let elsewhere = try await SessionService(store: self.store, publisher: DiscardingPublisher(), maxSessionsPerUser: 10)
            .create(SessionDraft(type: "claude"), by: self.host)
        for _ in 0..<5 {
            _ = self.hub.subscribe(sessionID: elsewhere.id, user: self.host, role: .host, transport: .webSocket, tokenExpiry: .distantFuture)
        }
        let shared = try self.subscribeEditor()
        let before = self.held.reads
        await self.hub.recheckAccess(after: .team(id: "deleted-team", sessionIDs: [self.session.id]))
        #expect(self.held.reads - before == 1)
        #expect(shared.role == .editor)
    }

    /// The editor's live connection, opened on the session as a route read it (editor) before anything below changed.
    private func withEditorConnection(
        through gateway: CollaborationGateway, tokenExpiry: Date = .distantFuture, _ body: (LiveConnection) async throws -> Void
    ) async throws {
        var asTheRouteSawIt = self.session
        asTheRouteSawIt.role = .editor
        try await gateway.withLiveConnection(
            to: asTheRouteSawIt, identity: RealtimeIdentity(user: self.editor, expiresAt: tokenExpiry), transport: .webSocket, since: nil,
            channel: EmbeddedChannel(), body)
    }

    @Test func anAuthFrameRenewsTheTokenButNotALostAccess() async throws {
        let gateway = self.gateway(acceptingTokensOf: self.editor)
        try await self.withEditorConnection(through: gateway, tokenExpiry: .now) { connection in
            // Removed without the hub hearing of it (this store publishes nowhere), as when the re-check is still queued.
            try await self.participants.remove(userID: self.editor.id, sessionID: self.session.id, by: self.host)
            let auth = try ClientMessage.decode(Data(#"{"type": "auth", "token": "renewed"}"#.utf8))
            _ = try? await gateway.perform(auth, from: .connection(connection))
            #expect(connection.subscriber.tokenExpiry == .distantFuture)
            #expect(connection.subscriber.closeReason == .accessLost)
        }
        #expect(self.hub.statistics().connections.total == 0)
    }

    @Test func aLiveConnectionsFramesAreAuthorizedByItsCachedRole() async throws {
        let gateway = self.gateway(acceptingTokensOf: self.editor)
        try await self.withEditorConnection(through: gateway) { connection in
            try await self.performFramesCountingReads(on: connection, through: gateway)
        }
    }

    private func performFramesCountingReads(on connection: LiveConnection, through gateway: CollaborationGateway) async throws {
        let readsAfterConnecting = self.held.reads
        let frames = [
            #"{"type": "chat_message", "content": "hello", "ref": 1}"#,
            #"{"type": "session_update", "changes": {"description": "touched"}, "ref": 2}"#,
        ]
        for frame in frames { _ = try await gateway.perform(try ClientMessage.decode(Data(frame.utf8)), from: .connection(connection)) }
        let posted = try #require(
            try await MessageService(
                sessions: SessionService(store: self.store, publisher: DiscardingPublisher(), maxSessionsPerUser: 10), store: self.store
            )
            .list(sessionID: self.session.id, for: self.editor, matching: MessageQuery(), page: PageRequest()).items.first)
        for frame in [
            #"{"type": "reaction", "message_id": "\#(posted.id)", "emoji": "👍", "action": "add"}"#,
            #"{"type": "edit_message", "message_id": "\#(posted.id)", "content": "hello again"}"#,
            #"{"type": "delete_message", "message_id": "\#(posted.id)"}"#,
        ] {
            _ = try await gateway.perform(try ClientMessage.decode(Data(frame.utf8)), from: .connection(connection))
        }
        // None of the five needed the session read again (the write itself re-reads the role for a session_update).
        #expect(self.held.reads == readsAfterConnecting)
    }

    @Test func aConnectionOpenedAfterARemovalItsRouteDidNotSeeIsRefused() async throws {
        let gateway = self.gateway()
        try await self.participants.remove(userID: self.editor.id, sessionID: self.session.id, by: self.host)
        await #expect(throws: DomainError.notFound("Session not found")) {
            try await self.withEditorConnection(through: gateway) { _ in Issue.record("the connection opened") }
        }
        #expect(self.hub.statistics().connections.total == 0)
    }
}

/// Any token speaks for `user`, for ever; none at all without one.
struct TokensOf: RealtimeAuthenticator {
    let user: User?

    func identity(forToken token: String) async throws -> RealtimeIdentity {
        guard let user = self.user else { throw DomainError.unauthorized("no tokens here") }
        return RealtimeIdentity(user: user, expiresAt: .distantFuture)
    }
}

/// Polls a condition another task makes true. The bound is generous: the whole suite shares two cores in CI, where
/// a timer's task has been seen to wait 5 s for a thread; a condition met returns at once however long the bound.
func waitUntil(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while !condition() {
        try #require(ContinuousClock.now < deadline, "condition not met in time")
        try await Task.sleep(for: .milliseconds(1))
    }
}
