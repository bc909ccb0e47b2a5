import Foundation
import Logging
import Models
import NIOCore
import NIOWebSocket
import Synchronization

/// One WebSocket connection's work away from its event loop, in tasks that live only while there is work: opening
/// it (identity, access, presence, `connected`, the replay), the client's messages in the order they came, and its
/// end (presence, the log line). `LiveSocketHandler` feeds it from the pipeline.
final class LiveSocket: Sendable {
    private let sharedGateway: SharedGateway
    private let sink: LiveSocketSink
    private let state = Mutex(State())
    /// Answers owed, counted by the worker and the tasks that write them.
    private let unanswered = Atomic(0)

    private struct State {
        /// The upgrade request's id, for the closing log line: a logger of its own per connection costs more than
        /// the rest of its state.
        var requestID: Logger.MetadataValue?
        /// Set once the connection opened.
        var connection: LiveConnection?
        var flood: FloodControl?
        var isClientGone = false
        /// `connected` and the replay are out: the client's messages are answered after them.
        var isTakingMessages = false
        /// The task opening the connection, while it runs: the connection leaves only after it.
        var opening: Task<Void, Never>?
        /// The subscription ended for a reason of the server's: messages not yet taken up are dropped.
        var isCut = false
        var inbound: [ByteBuffer] = []
        /// The task taking up `inbound`, while there is something to take up.
        var worker: Task<Void, Never>?
        var isReadingPaused = false
        /// Only the newest answer's task is kept: each holds the one before until it has waited for it.
        var lastAnswer: Task<Void, Never>?
    }

    /// Messages waiting to be taken up beyond which the handler stops reading the socket.
    static let inboundLimit = 8

    init(gateway: SharedGateway, sink: LiveSocketSink) {
        self.sharedGateway = gateway
        self.sink = sink
    }

    private var gateway: CollaborationGateway { self.sharedGateway.gateway }

    // MARK: Opening

    /// The upgrade request is kept only while the connection opens: it lives for hours after.
    func open(_ accepted: AcceptedSocket) {
        self.state.withLock { state in
            state.opening = Task {
                await self.opening(accepted)
                self.state.withLock { $0.opening = nil }
            }
        }
    }

    private func opening(_ accepted: AcceptedSocket) async {
        let (request, sessionID) = (accepted.request, accepted.sessionID)
        let identity: RealtimeIdentity
        do {
            identity = try await self.gateway.identify(request)
        } catch {
            return self.refuse(.error(code: .unauthorized, message: "Invalid or expired access token", sessionID: sessionID), close: 4401)
        }
        let since: Int64?
        do {
            since = try self.gateway.resumePoint(of: request)
        } catch {
            return self.refuse(.error(error, sessionID: sessionID), close: 1008)
        }
        let logger = Self.logger(accepted.logger, sessionID: sessionID, userID: identity.user.id)
        let connection: LiveConnection
        do {
            let session = try await self.gateway.session(id: sessionID, for: identity)
            connection = try await self.gateway.open(to: session, identity: identity, transport: .webSocket, since: since)
        } catch DomainError.notFound {
            return self.refuse(.error(code: .notFound, message: "Session not found", sessionID: sessionID), close: 4404)
        } catch DomainError.tooManyConnections(let limit) {
            return self.refuse(.error(.tooManyConnections(limit: limit), sessionID: sessionID), close: 1008)
        } catch {
            logger.error("opening a WebSocket subscription failed", metadata: ["error": .string(String(reflecting: error))])
            return self.refuse(.error(code: .internalError, message: "Could not join the session", sessionID: sessionID), close: 1011)
        }
        logger.info("websocket opened", metadata: ["since": .string(since.map(String.init) ?? "none")])
        let isClientGone = self.state.withLock { state in
            state.requestID = accepted.logger[metadataKey: Self.requestIDKey]
            state.connection = connection
            state.flood = self.gateway.floodControl(for: connection)
            return state.isClientGone
        }
        connection.subscriber.whenClosed { self.subscriptionEnded(connection.subscriber) }
        if isClientGone { connection.subscriber.close(.clientGone) }
        do {
            if let lost = try await self.gateway.sendBacklog(of: connection, into: self.sink) { connection.subscriber.close(lost) }
        } catch {
            // The socket failed; the handler reports the client gone.
        }
        self.state.withLock { state in
            state.isTakingMessages = true
            self.startWorkerIfNeeded(&state)
        }
    }

    private func refuse(_ frame: OutboundFrame, close code: Int) {
        self.sink.close(after: frame, code: code)
    }

    // MARK: The client's messages

    /// Takes a message from the handler (on the event loop). Returns false when the handler should stop reading
    /// until `resumeReading`: the messages before it are still being taken up.
    func take(_ message: ByteBuffer) -> Bool {
        self.state.withLock { state in
            guard !state.isCut else { return true }
            state.inbound.append(message)
            self.startWorkerIfNeeded(&state)
            state.isReadingPaused = state.inbound.count >= Self.inboundLimit
            return !state.isReadingPaused
        }
    }

    private func startWorkerIfNeeded(_ state: inout State) {
        guard state.worker == nil, state.isTakingMessages, !state.inbound.isEmpty else { return }
        state.worker = Task { await self.work() }
    }

    /// Takes up the waiting messages in order and answers them in that order: a message waiting for its commit
    /// holds up neither the next message nor the answers before it. Each answer is written by a task that lives only
    /// while it is owed and waits for the one before it. Ends when nothing waits.
    private func work() async {
        while let next = self.next() {
            var flood = self.state.withLock { $0.flood } ?? self.gateway.floodControl(for: next.connection)
            let outcome = await self.gateway.receive(Data(next.message.readableBytesView), on: next.connection, flood: &flood, after: next.earlier)
            if next.resumeReading { self.sink.resumeReading() }
            guard case .answer(let answer) = outcome else {
                // Closed for flooding: the end of the subscription cuts what is left.
                self.state.withLock { $0.flood = flood }
                continue
            }
            self.unanswered.add(1, ordering: .relaxed)
            let task = Task { [sink] in
                await next.earlier?.value
                if let frame = await answer.frame { try? await sink.send([frame]) }
                self.unanswered.subtract(1, ordering: .relaxed)
            }
            self.state.withLock { state in
                state.flood = flood
                state.lastAnswer = task
            }
            // A client runs at most this far ahead of its answers; memory stays bounded whatever it sends.
            if self.unanswered.load(ordering: .relaxed) > RealtimeLimits.unansweredFramesPerConnection { await task.value }
        }
    }

    /// The next message to take up, with what it needs; nil (and the worker ends) when there is none.
    private func next() -> (message: ByteBuffer, connection: LiveConnection, earlier: Task<Void, Never>?, resumeReading: Bool)? {
        self.state.withLock { state in
            guard let connection = state.connection, !state.isCut, !state.inbound.isEmpty else {
                state.worker = nil
                return nil
            }
            let message = state.inbound.removeFirst()
            let resume = state.isReadingPaused
            state.isReadingPaused = false
            return (message, connection, state.lastAnswer, resume)
        }
    }

    // MARK: The end

    /// The client closed, or its connection broke.
    func clientGone() {
        let connection = self.state.withLock { state in
            state.isClientGone = true
            return state.connection
        }
        connection?.subscriber.close(.clientGone)
    }

    /// Says why the server ended the subscription, then, once the messages already taken up are answered, leaves.
    private func subscriptionEnded(_ subscriber: Subscriber) {
        let reason = subscriber.closeReason ?? .shutdown
        if reason != .clientGone {
            // Messages not yet taken up are dropped: the client resumes and looks before it resends.
            self.state.withLock { state in
                state.isCut = true
                state.inbound = []
                state.isReadingPaused = false
            }
            // Only the client's answer to the close is still read.
            self.sink.resumeReading()
            if let code = reason.webSocketCloseCode {
                // A slow consumer's queue is full: its hint travels in the close frame's reason instead.
                let farewell = reason == .slowConsumer ? nil : reason.farewell
                self.sink.close(
                    after: farewell.map { .error(code: $0.code, message: $0.message, sessionID: subscriber.sessionID) }, code: code,
                    reason: reason == .slowConsumer ? "slow consumer: resume from your last event id" : nil)
            }
        }
        Task { await self.leave(subscriber, reason: reason) }
    }

    private func leave(_ subscriber: Subscriber, reason: Subscriber.CloseReason) async {
        // What was taken up is stored before the connection leaves (a shutdown waits for that), and answered if the
        // socket still takes it.
        await self.state.withLock { $0.opening }?.value
        while let busy = self.state.withLock({ $0.worker }) { await busy.value }
        await self.state.withLock { $0.lastAnswer }?.value
        await self.gateway.release(subscriber)
        var logger = Self.logger(self.gateway.hub.logger, sessionID: subscriber.sessionID, userID: subscriber.user.id)
        logger[metadataKey: Self.requestIDKey] = self.state.withLock { $0.requestID }
        logger.info("websocket closed", metadata: ["reason": .string("\(reason)")])
    }

    /// The metadata every line about a connection carries (the upgrade request's id comes with its logger).
    private static func logger(_ base: Logger, sessionID: String, userID: String) -> Logger {
        var logger = base
        logger[metadataKey: "session_id"] = .string(sessionID)
        logger[metadataKey: "user_id"] = .string(userID)
        return logger
    }

    private static let requestIDKey = "request_id"
}
