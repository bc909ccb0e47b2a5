import Foundation
import Models
import NIOCore
import Synchronization

/// A subscriber's connection: the writer task sends `connected` and the replay through it, then the hub writes
/// the live queue into it on the connection's own event loop (direct delivery).
protocol DirectSink: Sendable {
    var eventLoop: any EventLoop { get }
    /// Whether the connection takes more without buffering past its high-water mark (asked on the event loop).
    var isWritable: Bool { get }
    /// Writes the frames (and, for SSE, heartbeats) with one flush, on the event loop; `promise` completes once the
    /// bytes are with the kernel.
    func write(_ items: [Subscriber.Outgoing], promise: EventLoopPromise<Void>?)
}

extension DirectSink {
    /// From a task: returns once the bytes are with the kernel, so a client that stops reading holds up only its
    /// own writer task.
    func send(_ frames: [OutboundFrame]) async throws {
        let written = self.eventLoop.makePromise(of: Void.self)
        self.eventLoop.execute { self.write(frames.map(Subscriber.Outgoing.frame), promise: written) }
        try await written.futureResult.get()
    }
}

/// One WebSocket or SSE connection as the hub sees it: a bounded outbound queue its transport drains.
///
/// The hub enqueues without waiting. While the transport's writer task sends `connected` and any replay, frames
/// wait here; then it hands over to direct delivery, and the hub drains the queue on the connection's event loop
/// itself, with no task to wake per frame. Ephemeral frames (cursor, viewport, status) replace their pending
/// predecessor of the same key, so a lagging subscriber gets the newest position, not every step. Durable frames
/// are never dropped: past `durableLimit` pending ones the subscriber is closed as a slow consumer, and its client
/// resumes from the last id it received.
final class Subscriber: Sendable {
    enum Transport: String, Sendable {
        case webSocket = "websocket"
        case sse
    }

    /// Why the hub ended a subscription; each transport turns it into its own close.
    enum CloseReason: Sendable, Equatable {
        case slowConsumer, accessLost, sessionDeleted, tokenExpired, flooding, shutdown
        /// The user's password changed: the token the connection opened with no longer speaks for them.
        case credentialsChanged
        /// The client closed its side; nothing is left to tell it.
        case clientGone
    }

    enum Outgoing: Sendable {
        case frame(OutboundFrame)
        case heartbeat
    }

    enum EnqueueResult {
        case queued, coalesced, overflowed, closed
    }

    private enum Entry {
        case frame(OutboundFrame)
        case ephemeral(key: String)
        case heartbeat
    }

    private struct State {
        var entries: [Entry] = []
        var pendingEphemeral: [String: OutboundFrame] = [:]
        var pendingDurable = 0
        /// The tasks waiting for the end: the transport's writer.
        var closeWatchers: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Run once at the end, with no task of their own: the stalled-client guard.
        var closeActions: [@Sendable () -> Void] = []
        var nextWatcher = 0
        var closeReason: CloseReason?
        var tokenExpiry: Date
        var role: SessionRole?
        /// The ticket of the newest role check applied: an older one finishing later must not undo it.
        var roleTicket: UInt64 = 0
        /// Set once the writer task handed over: the hub drains into it.
        var sink: (any DirectSink)?
        var drainScheduled = false
        /// The newest durable id written, so nothing the replay sent goes out twice.
        var lastSent: Int64 = 0
    }

    let id: UInt64
    let sessionID: String
    let user: User
    let transport: Transport
    private let durableLimit: Int
    private let state: Mutex<State>

    init(id: UInt64, sessionID: String, user: User, role: SessionRole?, transport: Transport, tokenExpiry: Date, durableLimit: Int) {
        self.id = id
        self.sessionID = sessionID
        self.user = user
        self.transport = transport
        self.durableLimit = durableLimit
        self.state = Mutex(State(tokenExpiry: tokenExpiry, role: role))
    }

    var tokenExpiry: Date {
        get { self.state.withLock { $0.tokenExpiry } }
        set { self.state.withLock { $0.tokenExpiry = newValue } }
    }

    /// The user's role as of the hub's latest check; nil while a change to it is being re-checked.
    var role: SessionRole? { self.state.withLock { $0.role } }

    /// Applies the outcome of the role check holding `ticket` (nil: suspended until the next check, or no access),
    /// unless a newer check got there first. Tickets are taken before the store is read, so checks are applied in
    /// the order they read, whatever the order they finish in. Returns whether it was applied.
    @discardableResult
    func applyRole(_ role: SessionRole?, ticket: UInt64) -> Bool {
        self.state.withLock { state in
            guard ticket > state.roleTicket else { return false }
            state.roleTicket = ticket
            state.role = role
            return true
        }
    }

    /// Queues a frame. In direct delivery the hub must then drain the subscriber when `drainInto` is returned
    /// (once per burst: later frames join the drain already scheduled); before it, frames wait for the handover.
    func enqueue(_ frame: OutboundFrame) -> (EnqueueResult, drainInto: (any DirectSink)?) {
        let (result, wakeup, sink) = self.state.withLock { state -> (EnqueueResult, Wakeup?, (any DirectSink)?) in
            guard state.closeReason == nil else { return (.closed, nil, nil) }
            if let key = frame.coalescingKey {
                if state.pendingEphemeral.updateValue(frame, forKey: key) != nil { return (.coalesced, nil, nil) }
                state.entries.append(.ephemeral(key: key))
            } else {
                state.pendingDurable += 1
                guard state.pendingDurable <= self.durableLimit else {
                    return (.overflowed, Self.close(&state, reason: .slowConsumer), nil)
                }
                state.entries.append(.frame(frame))
            }
            return (.queued, nil, Self.claimDrain(&state))
        }
        wakeup?.resume()
        return (result, sink)
    }

    /// The writer task is done (replay sent up to `lastSent`): from now on the hub writes into `sink`. Returns the
    /// sink when frames queued meanwhile need a drain now.
    func handOver(to sink: any DirectSink, lastSent: Int64) -> (any DirectSink)? {
        self.state.withLock { state in
            state.sink = sink
            state.lastSent = lastSent
            return state.entries.isEmpty ? nil : Self.claimDrain(&state)
        }
    }

    /// In direct delivery, with frames waiting and no drain coming (the connection was not writable at the last
    /// one): the sink to drain into.
    func stalledSink() -> (any DirectSink)? {
        self.state.withLock { state in state.entries.isEmpty ? nil : Self.claimDrain(&state) }
    }

    /// Writes everything queued into the sink and returns what it wrote; runs on the sink's event loop, as the hub
    /// schedules it. A connection over its high-water mark is left alone: its queue grows until it drains or
    /// overflows (a slow consumer).
    func drain() -> [Outgoing] {
        let (sink, items) = self.state.withLock { state -> ((any DirectSink)?, [Outgoing]) in
            state.drainScheduled = false
            guard let sink = state.sink, state.closeReason == nil, sink.isWritable else { return (nil, []) }
            let items = Self.takeEntries(&state).filter { item in
                guard case .frame(let frame) = item, let id = frame.eventID else { return true }
                guard id > state.lastSent else { return false }
                state.lastSent = id
                return true
            }
            return (sink, items)
        }
        guard let sink, !items.isEmpty else { return [] }
        // Writing outside the channel's loop would reorder frames against the transport's own writes.
        sink.eventLoop.preconditionInEventLoop()
        sink.write(items, promise: nil)
        return items
    }

    /// In direct delivery, when no drain is scheduled yet: schedules one and returns the sink to drain into.
    private static func claimDrain(_ state: inout State) -> (any DirectSink)? {
        guard let sink = state.sink, !state.drainScheduled, state.closeReason == nil else { return nil }
        state.drainScheduled = true
        return sink
    }

    /// Why the subscription ended, once it has.
    var closeReason: CloseReason? { self.state.withLock { $0.closeReason } }

    /// Keeps an idle stream alive; skipped when frames are already waiting.
    /// In direct delivery, returns the sink the hub must drain into.
    func enqueueHeartbeat() -> (any DirectSink)? {
        self.state.withLock { state in
            guard state.closeReason == nil, state.entries.isEmpty else { return nil }
            state.entries.append(.heartbeat)
            return Self.claimDrain(&state)
        }
    }

    /// Ends the subscription; pending frames are dropped (the client resumes by id). The first reason wins.
    func close(_ reason: CloseReason) {
        self.state.withLock { Self.close(&$0, reason: reason) }?.resume()
    }

    /// Closes and returns what to wake (the close watchers and actions) as one, to run outside the lock.
    private static func close(_ state: inout State, reason: CloseReason) -> Wakeup? {
        guard state.closeReason == nil else { return nil }
        state.closeReason = reason
        state.entries = []
        state.pendingEphemeral = [:]
        state.pendingDurable = 0
        defer {
            state.closeWatchers = [:]
            state.closeActions = []
        }
        return Wakeup(continuations: Array(state.closeWatchers.values), actions: state.closeActions)
    }

    private struct Wakeup {
        let continuations: [CheckedContinuation<Void, Never>]
        let actions: [@Sendable () -> Void]

        func resume() {
            for continuation in self.continuations { continuation.resume() }
            for action in self.actions { action() }
        }
    }

    /// Runs `action` when the subscription closes (at once if it has): a watch that costs no task, where a
    /// connection lives for hours.
    func whenClosed(_ action: @escaping @Sendable () -> Void) {
        let closed = self.state.withLock { state -> Bool in
            guard state.closeReason == nil else { return true }
            state.closeActions.append(action)
            return false
        }
        if closed { action() }
    }

    /// Returns once the subscription is closed (or the waiting task is cancelled).
    func waitUntilClosed() async {
        let watcher = self.state.withLock { state in
            defer { state.nextWatcher += 1 }
            return state.nextWatcher
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let closed = self.state.withLock { state -> Bool in
                    guard state.closeReason == nil, !Task.isCancelled else { return true }
                    state.closeWatchers[watcher] = continuation
                    return false
                }
                if closed { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.closeWatchers.removeValue(forKey: watcher) }?.resume()
        }
    }

    private static func takeEntries(_ state: inout State) -> [Outgoing] {
        let outgoing = state.entries.compactMap { entry -> Outgoing? in
            switch entry {
            case .frame(let frame): .frame(frame)
            case .ephemeral(let key): state.pendingEphemeral.removeValue(forKey: key).map(Outgoing.frame)
            case .heartbeat: .heartbeat
            }
        }
        // Not kept: most subscribers are idle most of the time, and each entry's room is a frame's size.
        state.entries.removeAll()
        state.pendingDurable = 0
        return outgoing
    }
}
