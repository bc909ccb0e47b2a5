import Foundation
import Models
import Testing

@testable import Realtime

@Suite("Decoding client messages")
struct ClientMessageTests {
    func decode(_ text: String) -> Result<ClientMessage, ClientMessageError> {
        Result { () throws(ClientMessageError) in try ClientMessage.decode(Data(text.utf8)) }
    }

    func code(_ text: String) -> String? {
        if case .failure(let error) = self.decode(text) { error.error.errorCode.rawValue } else { nil }
    }

    @Test func readsTheSeedsShapes() throws {
        let chat = try self.decode(#"{"type": "chat_message", "content": "hi", "parent_id": "m1", "ref": {"n": 1}}"#).get()
        guard case .chat(let draft) = chat.kind else {
            Issue.record("expected chat")
            return
        }
        #expect(draft.content == "hi" && draft.parentID == "m1")
        #expect(chat.ref == .object(["n": .number(1)]))

        let comment = try self.decode(#"{"type": "code_comment", "data": {"file": "a.py", "line": 4, "content": "why?", "code_snippet": "x = 1"}}"#)
            .get()
        guard case .codeComment(let note) = comment.kind else {
            Issue.record("expected a comment")
            return
        }
        #expect(note.file == "a.py" && note.line == 4 && note.codeSnippet == "x = 1")

        let cursor = try self.decode(#"{"type": "cursor_update", "data": {"file": "a.py", "line": 4, "column": 2, "extra": true}}"#).get()
        guard case .cursor(let position) = cursor.kind else {
            Issue.record("expected a cursor")
            return
        }
        #expect(position == (try Cursor(file: "a.py", line: 4, column: 2)))
    }

    @Test(arguments: [
        ("nope", "INVALID_JSON"), ("[]", "INVALID_JSON"), (#""text""#, "INVALID_JSON"),
        (#"{"type": "warp"}"#, "UNKNOWN_TYPE"), (#"{"type": 7}"#, "VALIDATION_FAILED"), (#"{}"#, "VALIDATION_FAILED"),
        (#"{"type": "chat_message"}"#, "VALIDATION_FAILED"), (#"{"type": "chat_message", "content": ["x"]}"#, "VALIDATION_FAILED"),
        (#"{"type": "cursor_update", "data": {"file": "a", "line": 1.5, "column": 0}}"#, "VALIDATION_FAILED"),
        (#"{"type": "cursor_update", "data": {"file": "", "line": 1, "column": 0}}"#, "VALIDATION_FAILED"),
        (#"{"type": "viewport_update", "data": {"file": "a", "start_line": 9, "end_line": 3}}"#, "VALIDATION_FAILED"),
        (#"{"type": "presence_update", "status": "asleep"}"#, "VALIDATION_FAILED"),
        (#"{"type": "reaction", "message_id": "m", "emoji": "x", "action": "flip"}"#, "VALIDATION_FAILED"),
        (#"{"type": "session_update", "changes": {"team_id": "t"}}"#, "VALIDATION_FAILED"),
        (#"{"type": "session_update", "changes": {"tags": "one"}}"#, "VALIDATION_FAILED"),
    ])
    func refusesWithTheProtocolsCodes(text: String, expected: String) {
        #expect(self.code(text) == expected)
    }

    @Test func aRefusalKeepsTheRefItCouldRead() {
        guard case .failure(let error) = self.decode(#"{"type": "warp", "ref": "r9"}"#) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(error.ref == .string("r9"))
    }
}
