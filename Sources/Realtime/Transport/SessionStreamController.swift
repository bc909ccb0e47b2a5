import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Models
import NIOCore
import NIOHTTPTypes

/// The SSE face of the hub and its companions: `GET /api/sessions/{id}/stream` (the same events as the WebSocket,
/// as SSE), `POST /api/sessions/{id}/actions` (the same client messages, answered like REST) and
/// `GET /api/sessions/{id}/presence`.
public struct SessionStreamController<Context: AuthRequestContext<User> & RequestContext & ConnectionContext>: Sendable {
    let gateway: CollaborationGateway

    public init(gateway: CollaborationGateway) {
        self.gateway = gateway
    }

    /// Adds the routes to the `api/sessions/:session_id` group.
    public func addRoutes(to group: RouterGroup<Context>) {
        group.get("stream", use: self.stream)
        group.post("actions", use: self.act)
        group.get("presence", use: self.presence)
    }

    /// 401 and 404 are plain HTTP answers here: an SSE client can read them, unlike a failed WebSocket upgrade.
    ///
    /// Access is checked before the response, the subscription starts only once its body is being written: a
    /// response whose body never runs (HEAD, a client gone before the head) leaves no subscriber and no presence.
    @Sendable func stream(_ request: Request, context: Context) async throws -> Response {
        let identity = try await self.gateway.identify(request)
        let since = try self.gateway.resumePoint(of: request)
        let session = try await self.gateway.session(id: try context.parameters.require("session_id"), for: identity)
        // 429 while it can still be said in HTTP; a race past it is refused in the stream below.
        try self.gateway.requireRoomForAnotherConnection(of: identity)
        let gateway = self.gateway
        let channel = context.channel
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: \(Self.retryMilliseconds)\n\n"))
                do {
                    try await gateway.withLiveConnection(to: session, identity: identity, transport: .sse, since: since, channel: channel) {
                        connection in
                        do {
                            let reason = try await gateway.pump(connection, into: SSESink(channel: channel))
                            if let farewell = Self.farewell(for: reason, sessionID: connection.sessionID) { try await writer.write(farewell.sse) }
                            try await writer.finish(nil)
                        } catch {
                            // The client went away mid-write: nothing more to send.
                        }
                    }
                } catch {
                    // Refused as it opened: the session deleted in the moment since the check above, or the store failed.
                    let refusal =
                        (error as? DomainError).map { OutboundFrame.error($0, sessionID: session.id) }
                        ?? .error(code: .internalError, message: "Could not join the session", sessionID: session.id)
                    try await writer.write(refusal.sse)
                    try await writer.finish(nil)
                }
            })
    }

    /// Takes exactly the JSON of a WebSocket frame; 202 with the `ack` (or `pong`), or the error as problem+json.
    @Sendable func act(_ request: Request, context: Context) async throws -> EditedResponse<OutboundFrame> {
        let user = try context.requireIdentity()
        let sessionID = try context.parameters.require("session_id")
        let limit = self.gateway.maxMessageBytes
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            // The same answer a WebSocket gets for a message over WS_MAX_MESSAGE_BYTES, as HTTP: 413.
            throw DomainError.payloadTooLarge(limitBytes: limit)
        }
        let message: ClientMessage
        do {
            message = try ClientMessage.decode(body.readableBytesView)
        } catch {
            throw error.error
        }
        let answer = try await self.gateway.perform(message, from: .request(user: user, sessionID: sessionID))
        return EditedResponse(status: .accepted, response: answer)
    }

    /// Who is here (present users with status, cursor, viewport), or with `?file=` who is looking at that file.
    @Sendable func presence(_ request: Request, context: Context) async throws -> PresencePage {
        let users = try await self.gateway.presence(
            sessionID: try context.parameters.require("session_id"), for: try context.requireIdentity(),
            viewing: request.uri.queryParameters.get("file"))
        return PresencePage(users: users)
    }

    /// How long a client waits before reconnecting, sent first on every stream.
    static var retryMilliseconds: Int { 3000 }

    /// The last event of a stream the hub ended, saying why; a slow consumer reconnects with Last-Event-ID.
    static func farewell(for reason: Subscriber.CloseReason, sessionID: String) -> OutboundFrame? {
        reason.farewell.map { .error(code: $0.code, message: $0.message, sessionID: sessionID) }
    }
}

/// `GET .../presence`: everyone present fits one page, answered in the contract's Page shape.
struct PresencePage: ResponseEncodable {
    let page: Page<JSONValue>

    init(users: [JSONValue]) {
        self.page = Page(items: users, nextCursor: nil)
    }

    func encode(to encoder: any Encoder) throws {
        try self.page.encode(to: encoder)
    }
}

/// SSE events go into the channel as response body parts, a burst per flush, once the response head is out; the
/// HTTP encoder in the pipeline frames them as chunks like any body part.
struct SSESink: DirectSink {
    let channel: any Channel

    var eventLoop: any EventLoop { self.channel.eventLoop }
    var isWritable: Bool { self.channel.isWritable }

    func write(_ items: [Subscriber.Outgoing], promise: EventLoopPromise<Void>?) {
        self.channel.writeAndFlush(HTTPResponsePart.body(Self.events(items)), promise: promise)
    }

    private static let heartbeat = ByteBuffer(string: ServerSentEvent.heartbeat)

    /// A burst of queued events as one buffer; a lone event is sent as encoded, without a copy.
    private static func events(_ items: [Subscriber.Outgoing]) -> ByteBuffer {
        func encoded(_ item: Subscriber.Outgoing) -> ByteBuffer {
            switch item {
            case .frame(let frame): frame.sse
            case .heartbeat: Self.heartbeat
            }
        }
        if items.count == 1 { return encoded(items[0]) }
        var burst = ByteBuffer()
        for item in items { burst.writeImmutableBuffer(encoded(item)) }
        return burst
    }
}
