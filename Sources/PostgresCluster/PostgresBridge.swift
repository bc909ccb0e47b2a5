import Foundation
import Logging
import Models
import PostgresNIO
import PostgresStore
import Realtime
import ServiceLifecycle
import Synchronization

/// The bridge between the nodes of a cluster on one PostgreSQL: every node's hub gets every committed event in id
/// order, and the live-only frames and access changes of every node's clients.
///
/// - Events: the log is the bus. Ids are gap-free and become visible in id order (see `PostgresStore.append`), so a
///   node delivers the events after the last id it delivered, read from `session_events`. Its own commits go
///   straight to its hub when they are next in line; everything else is read, when another node's wake-up `NOTIFY`
///   says there is more, and every second in any case (a node killed between its commit and its notify sends none).
/// - The `NOTIFY` is sent after the commit, outside the write transaction: a notification inside it would take a
///   cluster-wide lock at commit and serialize every writer of every node.
/// - Cursors, viewports, statuses, a visitor's arrival and departure, and access changes are not stored: they travel
///   in the notification's payload (see `BusNotice`).
public final class PostgresBridge: HubBridge, Service {
    public let deliveries: AsyncStream<BridgeDelivery>
    private let continuation: AsyncStream<BridgeDelivery>.Continuation
    let store: PostgresStore
    let nodeID: String
    /// One channel per schema: deployments (and tests) sharing a database do not hear each other.
    let channel: String

    /// A channel name is an identifier, 63 bytes at most: a schema's name may be as long, so it is hashed (FNV-1a).
    static func channel(forSchema schema: String?) -> String {
        guard let schema else { return "sessionhub_events" }
        let hash = schema.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        return "sessionhub_events_" + String(hash, radix: 16)
    }
    let logger: Logger
    /// The newest event id this node's hub was given; every lower id was given or is gone from the log.
    private let delivered: Mutex<Int64>
    private let outbox = Mutex(Outbox())
    /// Wakes the reader of the log (another node committed, or this node's event was not next in line).
    let readWakeups: AsyncStream<Void>.Continuation
    private let readWakeupStream: AsyncStream<Void>
    /// Wakes the sender of notifications.
    let sendWakeups: AsyncStream<Void>.Continuation
    private let sendWakeupStream: AsyncStream<Void>

    struct Outbox {
        var head: Int64?
        var signals: [EphemeralSignal] = []
        var changes: [AccessChange] = []
    }

    /// Starts after the newest event committed now: nobody is subscribed yet, so nothing older is owed to anyone.
    public init(store: PostgresStore, nodeID: String, schema: String?, logger: Logger) async throws {
        self.store = store
        self.nodeID = nodeID
        self.channel = Self.channel(forSchema: schema)
        self.logger = logger
        self.delivered = Mutex(try await store.latestEventID())
        (self.deliveries, self.continuation) = AsyncStream.makeStream(of: BridgeDelivery.self, bufferingPolicy: .unbounded)
        (self.readWakeupStream, self.readWakeups) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (self.sendWakeupStream, self.sendWakeups) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Called on the store's writer after each commit, in id order.
    public func publish(_ event: SessionEvent) {
        let isNext = self.delivered.withLock { delivered in
            guard event.id == delivered + 1 else { return false }
            delivered = event.id
            self.continuation.yield(.event(event))
            return true
        }
        // Not next: an event of another node came between, which the reader delivers first, and this one after it.
        if !isNext { self.readWakeups.yield() }
        self.send { $0.head = max($0.head ?? 0, event.id) }
    }

    public func accessChanged(_ change: AccessChange) {
        self.continuation.yield(.accessChanged(change))
        self.send { $0.changes.append(change) }
    }

    public func broadcast(_ signal: EphemeralSignal) {
        self.continuation.yield(.ephemeral(signal))
        self.send { $0.signals.append(signal) }
    }

    public func finish() {
        self.continuation.finish()
    }

    /// Access changes whose notice failed, ahead of anything queued since.
    func resend(changes: [AccessChange]) {
        guard !changes.isEmpty else { return }
        self.send { $0.changes.insert(contentsOf: changes, at: 0) }
    }

    private func send(_ change: (inout Outbox) -> Void) {
        self.outbox.withLock { change(&$0) }
        self.sendWakeups.yield()
    }

    /// Delivers events read from the log, in id order, skipping those already delivered; every id up to `lastID` was
    /// read (some may have been unreadable).
    func deliver(_ events: [SessionEvent], through lastID: Int64?) {
        self.delivered.withLock { delivered in
            for event in events where event.id > delivered {
                delivered = event.id
                self.continuation.yield(.event(event))
            }
            if let lastID, lastID > delivered { delivered = lastID }
        }
    }

    var lastDelivered: Int64 { self.delivered.withLock { $0 } }

    /// What another node sent: its events, read from the log first, so that an access change comes after the event
    /// that caused it (a role change's `participant_updated`) as it does on the node that wrote it; then its frames.
    func receive(_ notice: BusNotice) async throws {
        guard notice.node != self.nodeID else { return }
        if let head = notice.head, head > self.lastDelivered { try await self.catchUp() }
        for change in notice.changes { self.continuation.yield(.accessChanged(change)) }
        for signal in notice.signals { self.continuation.yield(.ephemeral(signal)) }
    }

    /// Missed notices: every connection checks its access again.
    func reportMissedChanges() {
        self.continuation.yield(.accessChanged(.anyMissed))
    }

    func takeOutbox() -> Outbox {
        self.outbox.withLock { outbox in
            defer { outbox = Outbox() }
            return outbox
        }
    }

    /// Until shutdown: reads the log when woken (and every second), sends this node's notices, and listens to the
    /// other nodes'.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.readLog(wakeups: self.readWakeupStream) }
            group.addTask { await self.sendNotices(wakeups: self.sendWakeupStream) }
            group.addTask { await self.listen() }
            group.addTask { await self.wakeReaderEverySecond() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }
}
