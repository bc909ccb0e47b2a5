import Foundation
import Models
import Synchronization

/// One WebSocket or SSE connection as the hub sees it: a bounded outbound queue its transport drains.
///
/// The hub enqueues without waiting; the transport's writer waits here for work. Ephemeral frames (cursor, viewport,
/// status) replace their pending predecessor of the same key, so a lagging subscriber gets the newest position, not
/// every step. Durable frames are never dropped: past `durableLimit` pending ones the subscriber is closed as a slow
/// consumer, and its client resumes from the last id it received.
final class Subscriber: Sendable {
    enum Transport: String, Sendable {
        case webSocket = "websocket"
        case sse
    }

    /// Why the hub ended a subscription; each transport turns it into its own close.
    enum CloseReason: Sendable, Equatable {
        case slowConsumer, accessLost, sessionDeleted, tokenExpired, flooding, shutdown
        /// The client closed its side; nothing is left to tell it.
        case clientGone
    }

    enum Outgoing: Sendable {
        case frame(OutboundFrame)
        case heartbeat
    }

    enum Delivery: Sendable {
        case batch([Outgoing])
        case closed(CloseReason)
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
        var waiter: CheckedContinuation<Void, Never>?
        var closeWatcher: CheckedContinuation<Void, Never>?
        var closeReason: CloseReason?
        var tokenExpiry: Date
        var role: SessionRole?
    }

    let id: UInt64
    let sessionID: String
    let user: User
    let transport: Transport
    private let durableLimit: Int
    private let state: Mutex<State>

    init(id: UInt64, sessionID: String, user: User, role: SessionRole, transport: Transport, tokenExpiry: Date, durableLimit: Int) {
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

    /// The user's role as of the opening or the hub's latest re-check; nil while a change to it is being re-checked.
    var role: SessionRole? {
        get { self.state.withLock { $0.role } }
        set { self.state.withLock { $0.role = newValue } }
    }

    func enqueue(_ frame: OutboundFrame) -> EnqueueResult {
        let (result, wakeup) = self.state.withLock { state -> (EnqueueResult, Wakeup?) in
            guard state.closeReason == nil else { return (.closed, nil) }
            if let key = frame.coalescingKey {
                if state.pendingEphemeral.updateValue(frame, forKey: key) != nil { return (.coalesced, nil) }
                state.entries.append(.ephemeral(key: key))
            } else {
                state.pendingDurable += 1
                guard state.pendingDurable <= self.durableLimit else {
                    return (.overflowed, Self.close(&state, reason: .slowConsumer))
                }
                state.entries.append(.frame(frame))
            }
            return (.queued, Wakeup(continuations: state.waiter.take().map { [$0] } ?? []))
        }
        wakeup?.resume()
        return result
    }

    /// Keeps an idle stream alive; skipped when frames are already waiting.
    func enqueueHeartbeat() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.closeReason == nil, state.entries.isEmpty else { return nil }
            state.entries.append(.heartbeat)
            return state.waiter.take()
        }
        waiter?.resume()
    }

    /// Ends the subscription; pending frames are dropped (the client resumes by id). The first reason wins.
    func close(_ reason: CloseReason) {
        self.state.withLock { Self.close(&$0, reason: reason) }?.resume()
    }

    /// Closes and returns the continuations to resume (the writer's and the close watcher's) as one.
    private static func close(_ state: inout State, reason: CloseReason) -> Wakeup? {
        guard state.closeReason == nil else { return nil }
        state.closeReason = reason
        state.entries = []
        state.pendingEphemeral = [:]
        state.pendingDurable = 0
        return Wakeup(continuations: [state.waiter.take(), state.closeWatcher.take()].compactMap { $0 })
    }

    private struct Wakeup {
        let continuations: [CheckedContinuation<Void, Never>]
        func resume() { for continuation in self.continuations { continuation.resume() } }
    }

    /// Returns once the subscription is closed (or the waiting task is cancelled).
    func waitUntilClosed() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let closed = self.state.withLock { state -> Bool in
                    guard state.closeReason == nil, !Task.isCancelled else { return true }
                    state.closeWatcher = continuation
                    return false
                }
                if closed { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.closeWatcher.take() }?.resume()
        }
    }

    /// Everything queued since the last call, waiting until there is something; `.closed` once the hub ended it.
    /// Cancelling the waiting task ends the subscription.
    func next() async -> Delivery {
        while true {
            if let delivery = self.takeAll() { return delivery }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = self.state.withLock { state -> Bool in
                        guard state.entries.isEmpty, state.closeReason == nil else { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                self.close(.shutdown)
            }
        }
    }

    private func takeAll() -> Delivery? {
        self.state.withLock { state in
            if let reason = state.closeReason { return .closed(reason) }
            guard !state.entries.isEmpty else { return nil }
            let outgoing = state.entries.compactMap { entry -> Outgoing? in
                switch entry {
                case .frame(let frame): .frame(frame)
                case .ephemeral(let key): state.pendingEphemeral.removeValue(forKey: key).map(Outgoing.frame)
                case .heartbeat: .heartbeat
                }
            }
            state.entries.removeAll(keepingCapacity: true)
            state.pendingDurable = 0
            return .batch(outgoing)
        }
    }
}
