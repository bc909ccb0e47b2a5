import Foundation
import Models
import NIOCore

/// A server event encoded once: the same bytes go to every WebSocket subscriber, and the same SSE framing of them to
/// every SSE subscriber, however many there are.
public struct OutboundFrame: Sendable {
    /// The wire type, also the SSE `event:` field.
    public let type: String
    /// The JSON text (a view into `webSocketFrame`, not a copy).
    public let json: ByteBuffer
    /// The JSON as a whole WebSocket text frame, header included: what every WebSocket subscriber is written.
    let webSocketFrame: ByteBuffer
    /// The same JSON as one SSE event (with `id:` for durable events).
    public let sse: ByteBuffer
    /// The session_events id of a durable event; nil for ephemeral ones.
    public let eventID: Int64?
    /// Only these users receive it (a direct message); nil: everyone in the room.
    let audience: Set<String>?
    /// This user's connections do not receive it (their own cursor and viewport).
    let excludedUserID: String?
    /// Ephemeral frames with the same key replace each other in a lagging subscriber's queue.
    let coalescingKey: String?
    /// When the hub made it: the start of its delivery latency.
    let createdAt: ContinuousClock.Instant

    /// `framedForSSE: false` leaves `sse` empty: for a frame only a WebSocket will carry (a large `connected`).
    /// `splicing` adds members whose values are JSON text already.
    init(
        fields: [String: JSONValue], splicing rendered: [String: String] = [:], eventID: Int64? = nil, audience: Set<String>? = nil,
        excludedUserID: String? = nil, coalescingKey: String? = nil, framedForSSE: Bool = true
    ) {
        let type = fields["type"].flatMap { if case .string(let type) = $0 { type } else { nil } } ?? "unknown"
        let text = rendered.isEmpty ? JSONValue.object(fields).jsonText : JSONValue.objectText(fields, splicing: rendered)
        self.type = type
        (self.webSocketFrame, self.json) = WebSocketTextFrame.make(text)
        self.sse = framedForSSE ? ByteBuffer(string: ServerSentEvent(id: eventID, event: type, data: text).encoded) : ByteBuffer()
        self.eventID = eventID
        self.audience = audience
        self.excludedUserID = excludedUserID
        self.coalescingKey = coalescingKey
        self.createdAt = .now
    }

    /// Whether a subscriber of `userID` gets this frame.
    func isVisible(to userID: String) -> Bool {
        if let audience, !audience.contains(userID) { return false }
        return self.excludedUserID != userID
    }
}

extension OutboundFrame {
    /// A stored event as clients receive it: its payload with `type`, `session_id`, `timestamp` and `id`. A direct
    /// message reaches only its sender and recipient, live and on replay; a user's own arrival is not sent to them
    /// live (their `connected` says it), though their log keeps it.
    init(event: SessionEvent) {
        let ownArrival = event.type == .userJoined ? event.actorID : nil
        self.init(fields: event.frame, eventID: event.id, audience: event.audience, excludedUserID: ownArrival)
    }

    /// An ephemeral event of the room: not logged, no id.
    static func ephemeral(
        _ type: String, sessionID: String, fields: [String: JSONValue], splicing rendered: [String: String] = [:],
        excluding excludedUserID: String? = nil, coalescingKey: String? = nil, framedForSSE: Bool = true
    ) -> OutboundFrame {
        var frame = fields
        frame["type"] = .string(type)
        frame["session_id"] = .string(sessionID)
        WireFormat.stamp(&frame, at: WireFormat.now())
        return OutboundFrame(
            fields: frame, splicing: rendered, excludedUserID: excludedUserID, coalescingKey: coalescingKey, framedForSSE: framedForSSE)
    }

    /// The answer to a client message that carried `ref` (or none): `ack` with the stored event id, if any.
    static func ack(ref: JSONValue?, eventID: Int64?, sessionID: String) -> OutboundFrame {
        .ephemeral("ack", sessionID: sessionID, fields: ["ref": ref ?? .null, "id": eventID.map { .number(Double($0)) } ?? .null])
    }

    static func pong(ref: JSONValue?, sessionID: String) -> OutboundFrame {
        .ephemeral("pong", sessionID: sessionID, fields: ref.map { ["ref": $0] } ?? [:])
    }

    /// An `error` frame: `error_code`, `message`, `timestamp`, and `ref` when it answers a client message.
    static func error(code: ErrorCode, message: String, ref: JSONValue? = nil, sessionID: String) -> OutboundFrame {
        var fields: [String: JSONValue] = ["error_code": .string(code.rawValue), "message": .string(message)]
        if let ref { fields["ref"] = ref }
        return .ephemeral("error", sessionID: sessionID, fields: fields)
    }

    static func error(_ error: DomainError, ref: JSONValue? = nil, sessionID: String) -> OutboundFrame {
        .error(code: error.errorCode, message: error.clientMessage, ref: ref, sessionID: sessionID)
    }
}

extension DomainError {
    /// One line for an `error` frame; field problems are spelled out, since frames have no `errors` list.
    var clientMessage: String {
        switch self {
        case .malformedBody(let detail), .unauthorized(let detail), .forbidden(let detail), .notFound(let detail),
            .conflict(let detail), .rejectedMessage(_, let detail):
            detail
        case .invalid, .secretDetected: (self.fieldProblems ?? []).map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .payloadTooLarge(let limit): "The message exceeds \(limit) bytes"
        case .rateLimited(let seconds): "Too many messages; retry in \(seconds) s"
        case .serverBusy(let seconds): "The server is busy; retry in \(seconds) s"
        case .tooManyConnections(let limit): "You have \(limit) live connections open, the most allowed; close one first"
        case .storeUnavailable(let seconds): "The store cannot take writes right now; nothing was stored, retry in \(seconds) s"
        }
    }
}
