import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Models
import NIOCore
import NIOWebSocket
import ServiceLifecycle
import Synchronization

/// `GET /ws/session/{session_id}?token=JWT[&since=ID]` (or `Authorization: Bearer`).
///
/// The upgrade is always accepted: a refused upgrade would be a bare 400 a browser cannot read. A refusal is an
/// `error` frame and then a close code the client can act on (4401 token, 4404 session, 4403 access lost later).
public struct WebSocketRoute<Context: WebSocketRequestContext & RequestContext & ConnectionContext>: Sendable {
    let gateway: CollaborationGateway

    public init(gateway: CollaborationGateway) {
        self.gateway = gateway
    }

    public func addRoutes(to router: Router<Context>) {
        router.ws("/ws/session/:session_id") { inbound, outbound, context in
            let channel = context.requestContext.channel
            await withGracefulShutdownHandler {
                await self.serve(inbound: inbound, outbound: outbound, context: context)
            } onGracefulShutdown: {
                // The library answers shutdown with its own close, 1000 (normal), from a task it starts; this frame is
                // written at once, so the client reads 1001 (going away) first, as the protocol promises.
                Self.sayGoingAway(on: channel)
            }
        }
    }

    private static func sayGoingAway(on channel: any Channel) {
        let code = ByteBuffer(integer: UInt16(Subscriber.CloseReason.shutdown.webSocketCloseCode ?? 1001))
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: code), promise: nil)
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: WebSocketRouterContext<Context>) async {
        let request = context.request
        let sessionID = context.requestContext.parameters.get("session_id") ?? ""
        let identity: RealtimeIdentity
        do {
            identity = try await self.gateway.identify(request)
        } catch {
            return await Self.refuse(
                outbound, .error(code: .unauthorized, message: "Invalid or expired access token", sessionID: sessionID), close: 4401)
        }
        let since: Int64?
        do {
            since = try self.gateway.resumePoint(of: request)
        } catch {
            return await Self.refuse(outbound, .error(error, sessionID: sessionID), close: 1008)
        }
        var logger = context.logger
        logger[metadataKey: "session_id"] = .string(sessionID)
        logger[metadataKey: "user_id"] = .string(identity.user.id)
        let channel = context.requestContext.channel
        do {
            let session = try await self.gateway.session(id: sessionID, for: identity)
            // Serving throws nothing: whatever is thrown here refused the connection before it opened.
            try await self.gateway.withLiveConnection(to: session, identity: identity, transport: .webSocket, since: since, channel: channel) {
                connection in
                logger.info("websocket opened", metadata: ["since": .string(since.map(String.init) ?? "none")])
                let reason = await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.read(inbound, replyingTo: outbound, for: connection) }
                    let reason = try? await self.gateway.pump(connection, into: WebSocketSink(channel: channel))
                    if let reason { await Self.close(outbound, for: reason, sessionID: sessionID) }
                    group.cancelAll()
                    return reason
                }
                logger.info("websocket closed", metadata: ["reason": .string(reason.map { "\($0)" } ?? "write failed")])
            }
        } catch DomainError.notFound {
            await Self.refuse(outbound, .error(code: .notFound, message: "Session not found", sessionID: sessionID), close: 4404)
        } catch DomainError.tooManyConnections(let limit) {
            await Self.refuse(outbound, .error(.tooManyConnections(limit: limit), sessionID: sessionID), close: 1008)
        } catch {
            logger.error("opening a WebSocket subscription failed", metadata: ["error": .string(String(reflecting: error))])
            await Self.refuse(outbound, .error(code: .internalError, message: "Could not join the session", sessionID: sessionID), close: 1011)
        }
    }

    /// Takes inbound messages in order and answers them in that order: a message waiting for its commit holds up
    /// neither the next message nor the answers before it. Each answer is written by a task that lives only while
    /// it is owed and waits for the one before it, so an idle connection costs no task for its answers. Returns when
    /// the client closes, ending the subscription.
    private func read(_ inbound: WebSocketInboundStream, replyingTo outbound: WebSocketOutboundWriter, for connection: LiveConnection) async {
        defer { connection.subscriber.close(.clientGone) }
        var flood = self.gateway.floodControl(for: connection)
        // Only the newest answer's task is kept: each holds the one before until it has waited for it, so finished
        // ones are freed as they go.
        var lastAnswer: Task<Void, Never>?
        let unanswered = UnansweredCount()
        do {
            for try await message in inbound.messages(maxSize: RealtimeLimits.transportFrameLimit) {
                let data: Data
                switch message {
                case .text(let text): data = Data(text.utf8)
                case .binary(let buffer): data = Data(buffer.readableBytesView)
                }
                guard case .answer(let answer) = await self.gateway.receive(data, on: connection, flood: &flood, after: lastAnswer) else {
                    break
                }
                let previous = lastAnswer
                unanswered.add(1)
                lastAnswer = Task {
                    await previous?.value
                    if let frame = await answer.frame { try? await Self.send(frame, to: outbound) }
                    unanswered.add(-1)
                }
                // A client runs at most this far ahead of its answers; memory stays bounded whatever it sends.
                if unanswered.value > RealtimeLimits.unansweredFramesPerConnection { await lastAnswer?.value }
            }
        } catch {
            // The socket failed or closed; the deferred close ends the subscription either way.
        }
        // What was taken is stored before the connection's handler returns (a shutdown waits for handlers), and
        // answered if the socket still takes it.
        await lastAnswer?.value
    }

    private static func send(_ frame: OutboundFrame, to outbound: WebSocketOutboundWriter) async throws {
        // The frame's bytes are shared by every subscriber; nothing is copied or re-encoded here.
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame.json)))
    }

    private static func refuse(_ outbound: WebSocketOutboundWriter, _ frame: OutboundFrame, close code: Int) async {
        try? await self.send(frame, to: outbound)
        try? await outbound.close(WebSocketErrorCode(codeNumber: code), reason: nil)
    }

    private static func close(_ outbound: WebSocketOutboundWriter, for reason: Subscriber.CloseReason, sessionID: String) async {
        guard let code = reason.webSocketCloseCode else { return }
        // A slow consumer's queue is full: its hint travels in the close frame's reason instead.
        if reason != .slowConsumer, let farewell = reason.farewell {
            try? await self.send(.error(code: farewell.code, message: farewell.message, sessionID: sessionID), to: outbound)
        }
        try? await outbound.close(
            WebSocketErrorCode(codeNumber: code), reason: reason == .slowConsumer ? "slow consumer: resume from your last event id" : nil)
    }
}

/// Broadcast frames go into the channel directly, a burst with one flush (one system call), where the library's
/// writer flushes every frame; replies and the closing handshake keep using the library's writer. Each frame is
/// written already framed, below the frame encoder: the same bytes for every subscriber, framed once.
struct WebSocketSink: DirectSink {
    let channel: any Channel

    var eventLoop: any EventLoop { self.channel.eventLoop }
    var isWritable: Bool { self.channel.isWritable }

    func write(_ items: [Subscriber.Outgoing], promise: EventLoopPromise<Void>?) {
        // The library pings on its own; SSE heartbeats have no WebSocket counterpart.
        let frames = items.compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
        guard let last = frames.last else {
            promise?.succeed()
            return
        }
        // Looked up per burst, not kept: a pipeline that is closing may have removed the encoder already.
        guard let belowEncoder = try? self.channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self) else {
            self.channel.close(promise: nil)
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        for frame in frames.dropLast() { belowEncoder.write(NIOAny(frame.webSocketFrame), promise: nil) }
        belowEncoder.writeAndFlush(NIOAny(last.webSocketFrame), promise: promise)
    }
}

/// Answers a connection owes, counted by its reader and the tasks that write them.
private final class UnansweredCount: Sendable {
    private let count = Atomic(0)

    var value: Int { self.count.load(ordering: .relaxed) }

    func add(_ delta: Int) {
        self.count.add(delta, ordering: .relaxed)
    }
}
