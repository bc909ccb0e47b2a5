import Foundation
import Models
import PostgresStore
import Testing

/// Every backend of the `Store` port. Each test of the conformance suite runs once per case, so a new backend joins
/// the suite as one more case here.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case memory
    case postgres

    /// A fresh, empty store.
    func makeStore(publisher: any EventPublisher) async throws -> any Store {
        switch self {
        case .sqlite: return try SQLiteStore.inMemory(publisher: publisher)
        case .memory: return MemoryStore(publisher: publisher)
        case .postgres:
            // A schema of its own per test: tests run in parallel on one database. Unset, the case fails: a suite that
            // skipped it would pass without having checked the backend at all.
            guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { throw MissingTestDatabase() }
            let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            return try await PostgresStore.connect(url: url, poolSize: 2, schema: schema, publisher: publisher)
        }
    }

    var testDescription: String { self.rawValue }
}

/// A fresh store of one backend with the domain services over it, wired as the server wires them, a publisher that
/// records what reaches it and a clock the test moves by hand.
struct StoreWorld: Sendable {
    let store: any Store
    let publisher = RecordingPublisher()
    let clock = TestClock()
    let accounts: AccountService
    let sessions: SessionService
    let teams: TeamService
    let participants: ParticipantService
    let messages: MessageService
    let insights: InsightService
    let analytics: AnalyticsService

    init(_ backend: StoreBackend, maxSessionsPerUser: Int = 50, maxTeamSize: Int = 50) async throws {
        try await self.init(maxSessionsPerUser: maxSessionsPerUser, maxTeamSize: maxTeamSize) { try await backend.makeStore(publisher: $0) }
    }

    /// Over a store the caller makes on the world's publisher (another node on the same database, say).
    init(
        maxSessionsPerUser: Int = 50, maxTeamSize: Int = 50, makeStore: (RecordingPublisher) async throws -> any Store
    ) async throws {
        let clock = self.clock
        let now: @Sendable () -> Date = { clock.now }
        let store = try await makeStore(self.publisher)
        let sessions = SessionService(store: store, publisher: self.publisher, maxSessionsPerUser: maxSessionsPerUser, now: now)
        self.store = store
        self.sessions = sessions
        self.accounts = AccountService(store: store, hasher: PlainTextHasher(), refreshTokenLifetime: 3600, publisher: self.publisher, now: now)
        self.teams = TeamService(store: store, publisher: self.publisher, maxTeamSize: maxTeamSize, now: now)
        self.participants = ParticipantService(sessions: sessions, store: store, publisher: self.publisher)
        self.messages = MessageService(sessions: sessions, store: store, secrets: SecretScreen(policy: .off), now: now)
        self.insights = InsightService(store: store, sessions: sessions, secrets: SecretScreen(policy: .off), now: now)
        self.analytics = AnalyticsService(store: store, sessions: sessions, now: now)
    }

    /// A user `name` with the email name@example.com and the password "password-1".
    func register(_ name: String) async throws -> User {
        try await self.accounts.register(Registration(email: "\(name)@example.com", username: name, password: "password-1"))
    }

    func createSession(by user: User, _ configure: (inout SessionDraft) -> Void = { _ in }) async throws -> CodingSession {
        var draft = SessionDraft(type: "claude")
        configure(&draft)
        return try await self.sessions.create(draft, by: user)
    }

    func update(_ session: CodingSession, by user: User, _ configure: (inout SessionChanges) -> Void) async throws -> Recorded<CodingSession> {
        var changes = SessionChanges()
        configure(&changes)
        return try await self.sessions.update(sessionID: session.id, with: changes, by: user)
    }

    func createTeam(_ name: String, by user: User) async throws -> Team {
        try await self.teams.create(try decode(#"{"name": "\#(name)"}"#), by: user)
    }

    @discardableResult
    func addMember(_ user: User, to team: Team, role: TeamRole = .member, by admin: User) async throws -> TeamMember {
        try await self.teams.addMember(try decode(#"{"user_id": "\#(user.id)", "role": "\#(role.rawValue)"}"#), teamID: team.id, by: admin)
    }

    @discardableResult
    func invite(_ user: User, to session: CodingSession, as role: InvitedRole, by host: User) async throws -> Participant {
        try await self.participants.invite(try decode(#"{"user_id": "\#(user.id)", "role": "\#(role.rawValue)"}"#), sessionID: session.id, by: host)
    }

    @discardableResult
    func post(_ content: String, in session: CodingSession, by user: User, replyingTo parent: SessionMessage? = nil) async throws -> SessionMessage {
        try await self.messages.post(MessageDraft(content: content, parentID: parent?.id), sessionID: session.id, by: user).value
    }

    /// The whole event log of a session as `user` may read it.
    func log(of session: CodingSession, for user: User, type: SessionEvent.Kind? = nil) async throws -> [SessionEvent] {
        try await self.sessions.events(sessionID: session.id, type: type, for: user, page: PageRequest(limit: PageRequest.maximumLimit)).items
    }
}

struct MissingTestDatabase: Error, CustomStringConvertible {
    var description: String {
        "TEST_DATABASE_URL is unset: run the tests under scripts/with-postgres (scripts/test does), which starts a throwaway PostgreSQL"
    }
}

/// A request body as the API would decode it (several request types are made only by decoding).
func decode<Value: Decodable>(_ json: String) throws -> Value {
    try WireFormat.makeDecoder().decode(Value.self, from: Data(json.utf8))
}

/// Every page of a listing, following its cursors, each cursor taken through its wire form as a client sends it back.
func allPages<Item>(limit: Int, _ fetch: (PageRequest) async throws -> Page<Item>) async throws -> [[Item]] {
    var pages: [[Item]] = []
    var request = PageRequest(limit: limit)
    while true {
        let page = try await fetch(request)
        pages.append(page.items)
        guard let cursor = page.nextCursor else { return pages }
        try #require(pages.count <= 100, "the cursors do not end")
        request = try PageRequest(limit: String(limit), cursor: cursor.encoded)
    }
}
