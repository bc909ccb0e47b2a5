import Realtime
import Testing

@Suite("Server-Sent Events framing")
struct ServerSentEventTests {
    @Test func durableEventCarriesIdTypeAndData() {
        let frame = ServerSentEvent(id: 42, event: "chat_message", data: #"{"type":"chat_message"}"#)
        #expect(frame.encoded == "id: 42\nevent: chat_message\ndata: {\"type\":\"chat_message\"}\n\n")
    }

    @Test func ephemeralEventHasNoId() {
        #expect(ServerSentEvent(event: "cursor_update", data: "{}").encoded == "event: cursor_update\ndata: {}\n\n")
    }

    @Test func multilineDataBecomesSeveralDataFields() {
        #expect(ServerSentEvent(data: "a\nb\r\nc\rd").encoded == "data: a\ndata: b\ndata: c\ndata: d\n\n")
        #expect(ServerSentEvent(data: "x\u{2028}y").encoded == "data: x\u{2028}y\n\n")
    }

    @Test func lineBreakInEventCannotInjectFields() {
        let frame = ServerSentEvent(event: "x\nid: 999", data: "{}")
        #expect(frame.encoded == "event: x\ndata: {}\n\n")
    }

    @Test func heartbeatIsAComment() {
        #expect(ServerSentEvent.heartbeat.hasPrefix(":"))
        #expect(ServerSentEvent.heartbeat.hasSuffix("\n\n"))
    }
}
