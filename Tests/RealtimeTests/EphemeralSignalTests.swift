import Foundation
import Logging
import Models
import NIOEmbedded
import Synchronization
import Testing

@testable import Realtime

/// A bridge that keeps what is broadcast through it, as a bridge between nodes would send it on.
final class RecordingBridge: HubBridge {
    private let inProcess = InProcessBridge()
    private let signals = Mutex<[EphemeralSignal]>([])

    var broadcasts: [EphemeralSignal] { self.signals.withLock { $0 } }
    var deliveries: AsyncStream<BridgeDelivery> { self.inProcess.deliveries }

    func publish(_ event: SessionEvent) { self.inProcess.publish(event) }
    func accessChanged(_ change: AccessChange) { self.inProcess.accessChanged(change) }
    func finish() { self.inProcess.finish() }

    func broadcast(_ signal: EphemeralSignal) {
        self.signals.withLock { $0.append(signal) }
        self.inProcess.broadcast(signal)
    }
}

/// Frames that are never stored still cross the bridge, so that another node's hub can deliver them.
@Suite("Ephemeral signals")
struct EphemeralSignalTests {
    /// A hub and gateway on an in-memory store whose bridge records what crosses it, with a public session of `host`.
    struct Room {
        let store: SQLiteStore
        let bridge = RecordingBridge()
        let hub: BroadcastHub
        let gateway: CollaborationGateway
        let host = Self.user("hal")
        var session: CodingSession

        init(arrivalWindow: Duration = .milliseconds(50)) async throws {
            self.store = try SQLiteStore.inMemory()
            let sessions = SessionService(store: self.store, publisher: DiscardingPublisher(), maxSessionsPerUser: 10)
            let participants = ParticipantService(sessions: sessions, store: self.store, publisher: DiscardingPublisher())
            self.hub = BroadcastHub(
                bridge: self.bridge, sessions: sessions, participants: participants,
                limits: RealtimeLimits(
                    maxMessageBytes: 65_536, framesPerSecond: 50, subscriberQueueEvents: 100, presenceStaleSeconds: 300, sseHeartbeatSeconds: 15,
                    maxConnectionsPerUser: 20, arrivalWindow: arrivalWindow
                ),
                logger: Logger(label: "test")
            )
            self.gateway = CollaborationGateway(
                hub: self.hub, sessions: sessions, messages: MessageService(sessions: sessions, store: self.store), participants: participants,
                authenticator: TokensOf(user: nil)
            )
            try await self.store.insertUser(self.host, passwordHash: "unused")
            var draft = SessionDraft(type: "claude")
            draft.visibility = .public
            self.session = try await sessions.create(draft, by: self.host)
        }

        static func user(_ name: String) -> User {
            User(
                id: "u-\(name)", email: "\(name)@example.com", username: name, fullName: nil, preferences: [:], isActive: true, createdAt: Date(),
                updatedAt: Date())
        }

        /// Opens a connection of `user` as a viewer (a visitor of the public session), runs `body` with it, then closes it.
        func visit(as user: User, transport: Subscriber.Transport = .webSocket, _ body: (LiveConnection) async throws -> Void) async throws {
            var session = self.session
            session.role = .viewer
            try await self.gateway.withLiveConnection(
                to: session, identity: RealtimeIdentity(user: user, expiresAt: .distantFuture), transport: transport, since: nil,
                channel: EmbeddedChannel(), body)
        }

        func send(_ frame: String, from connection: LiveConnection) async throws {
            _ = try await self.gateway.perform(try ClientMessage.decode(Data(frame.utf8)), from: .connection(connection))
        }
    }

    @Test func cursorsStatusesAndVisitorsArrivalsGoThroughTheBridge() async throws {
        let room = try await Room()
        let (bridge, host, session) = (room.bridge, room.host, room.session)
        let visitor = Room.user("vic")
        try await room.store.insertUser(visitor, passwordHash: "unused")
        try await room.gateway.withLiveConnection(
            to: session, identity: RealtimeIdentity(user: host, expiresAt: .distantFuture), transport: .webSocket, since: nil,
            channel: EmbeddedChannel()
        ) { connection in
            try await room.send(#"{"type": "cursor_update", "data": {"file": "a.py", "line": 4, "column": 2}}"#, from: connection)
            try await room.send(#"{"type": "presence_update", "status": "away"}"#, from: connection)
        }
        try await room.visit(as: visitor, transport: .sse) { _ in }

        let signals = bridge.broadcasts
        #expect(signals.map(\.kind) == [.cursorUpdate, .presenceUpdate, .userJoined, .userLeft])
        #expect(signals.allSatisfy { $0.sessionID == session.id })
        guard signals.count == 4, case .object(let arrival)? = signals[2].fields["user"] else {
            Issue.record("expected the visitor's arrival with their user")
            return
        }
        #expect(signals[0].excludedUserID == host.id, "nobody is sent their own cursor")
        #expect(signals[0].fields["cursor"] == .object(["file": .string("a.py"), "line": .number(4), "column": .number(2)]))
        #expect(signals[1].excludedUserID == nil)
        #expect(arrival["user_id"] == .string(visitor.id))
        #expect(signals[3].fields["user_id"] == .string(visitor.id))
    }

    /// Nobody hears of a user's cursor before hearing of the user, though their arrival waits for its window's end.
    @Test func aVisitorsChangeNeverOvertakesTheirWaitingArrival() async throws {
        let room = try await Room(arrivalWindow: .seconds(60))
        let (vic, wes) = (Room.user("vic"), Room.user("wes"))
        for user in [vic, wes] { try await room.store.insertUser(user, passwordHash: "unused") }
        try await room.visit(as: vic) { _ in
            try await room.visit(as: wes) { connection in
                try await room.send(#"{"type": "cursor_update", "data": {"file": "a.py", "line": 1, "column": 1}}"#, from: connection)
            }
        }
        let seen = room.bridge.broadcasts.map { signal -> String in
            var user = signal.fields["user_id"]
            if case .object(let joined)? = signal.fields["user"] { user = joined["user_id"] }
            guard case .string(let id)? = user else { return signal.kind.rawValue }
            return "\(signal.kind.rawValue) \(id)"
        }
        #expect(seen == ["user_joined u-vic", "user_joined u-wes", "cursor_update u-wes", "user_left u-wes", "user_left u-vic"])
    }
}
