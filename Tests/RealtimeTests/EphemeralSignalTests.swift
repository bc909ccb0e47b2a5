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
    @Test func cursorsStatusesAndVisitorsArrivalsGoThroughTheBridge() async throws {
        let store = try SQLiteStore.inMemory()
        let bridge = RecordingBridge()
        let sessions = SessionService(store: store, publisher: DiscardingPublisher(), maxSessionsPerUser: 10)
        let participants = ParticipantService(sessions: sessions, store: store, publisher: DiscardingPublisher())
        let hub = BroadcastHub(
            bridge: bridge, sessions: sessions, participants: participants,
            limits: RealtimeLimits(
                maxMessageBytes: 65_536, framesPerSecond: 50, subscriberQueueEvents: 100, presenceStaleSeconds: 300, sseHeartbeatSeconds: 15,
                maxConnectionsPerUser: 20
            ),
            logger: Logger(label: "test")
        )
        let gateway = CollaborationGateway(
            hub: hub, sessions: sessions, messages: MessageService(sessions: sessions, store: store), participants: participants,
            authenticator: TokensOf(user: nil)
        )
        let host = User(
            id: "u-host", email: "hal@example.com", username: "hal", fullName: nil, preferences: [:], isActive: true, createdAt: Date(),
            updatedAt: Date()
        )
        let visitor = User(
            id: "u-visitor", email: "vic@example.com", username: "vic", fullName: nil, preferences: [:], isActive: true, createdAt: Date(),
            updatedAt: Date()
        )
        for user in [host, visitor] { try await store.insertUser(user, passwordHash: "unused") }
        var draft = SessionDraft(type: "claude")
        draft.visibility = .public
        var session = try await sessions.create(draft, by: host)
        let frames = [
            #"{"type": "cursor_update", "data": {"file": "a.py", "line": 4, "column": 2}}"#,
            #"{"type": "presence_update", "status": "away"}"#,
        ]
        try await gateway.withLiveConnection(
            to: session, identity: RealtimeIdentity(user: host, expiresAt: .distantFuture), transport: .webSocket, since: nil,
            channel: EmbeddedChannel()
        ) { connection in
            for frame in frames { _ = try await gateway.perform(try ClientMessage.decode(Data(frame.utf8)), from: .connection(connection)) }
        }
        session.role = .viewer
        try await gateway.withLiveConnection(
            to: session, identity: RealtimeIdentity(user: visitor, expiresAt: .distantFuture), transport: .sse, since: nil,
            channel: EmbeddedChannel()
        ) { _ in }

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
}
