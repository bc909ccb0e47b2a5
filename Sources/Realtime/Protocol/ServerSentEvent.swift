import Foundation

/// One Server-Sent Events frame, encoded as the SSE stream of `/api/sessions/{id}/stream` sends it (`id:`, `event:`,
/// `data:`, `retry:`, comment heartbeats). Each event is framed once, when the hub encodes it.
public struct ServerSentEvent: Sendable, Equatable {
    /// The durable event id a client resumes from with `Last-Event-ID`; nil for ephemeral events.
    public var id: Int64?
    /// The wire type (`chat_message`, `cursor_update` ...).
    public var event: String?
    /// The JSON of the event, the same text a WebSocket client receives.
    public var data: String
    /// Milliseconds a client waits before reconnecting.

    public init(id: Int64? = nil, event: String? = nil, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }

    /// The frame's text, ending with the blank line that dispatches it.
    ///
    /// Each line of `data` becomes its own `data:` field (the client joins them with newlines), and a line break
    /// inside `event` could forge fields, so it is cut there.
    public var encoded: String {
        var frame = ""
        if let id = self.id { frame += "id: \(id)\n" }
        if let event = self.event { frame += "event: \(Self.singleLine(event))\n" }
        // Serialized JSON is one line: the common case needs no splitting.
        guard self.data.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return frame + "data: \(self.data)\n\n" }
        // \n, \r\n and \r end a line for an SSE parser, and nothing else does (U+2028 inside JSON must survive).
        let normalized = self.data.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            frame += "data: \(line)\n"
        }
        return frame + "\n"
    }

    /// A comment line: ignored by clients, it keeps proxies from closing an idle stream.
    public static let heartbeat = ": heartbeat\n\n"

    private static func singleLine(_ text: String) -> Substring {
        text.prefix { $0 != "\n" && $0 != "\r" }
    }
}
