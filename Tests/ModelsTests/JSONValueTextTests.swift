import Foundation
import Models
import Testing

@Suite("JSONValue's direct serialization")
struct JSONValueTextTests {
    @Test("compact, keys sorted, slashes and non-ASCII kept, quotes and control characters escaped")
    func writesWhatTheWireFormatWrites() {
        let value = JSONValue.object([
            "b": .number(42), "a": .string("say \"hi\"\n\tto /ann/ 👋\u{01}"),
            "c": .array([.null, .bool(true), .bool(false), .number(1.5), .number(-3)]),
            "d": .object([:]),
        ])
        #expect(value.jsonText == #"{"a":"say \"hi\"\n\tto /ann/ 👋\u0001","b":42,"c":[null,true,false,1.5,-3],"d":{}}"#)
    }

    @Test("reads back as the same value through the wire format's decoder")
    func roundTrips() throws {
        let value = JSONValue.object([
            "message": .object(["content": .string("back\\slash \u{7F} \u{2028}"), "line": .number(7), "ratio": .number(0.125)]),
            "ids": .array([.string("x"), .number(9_007_199_254_740_993), .number(1e-7)]),
        ])
        let decoded = try WireFormat.makeDecoder().decode(JSONValue.self, from: Data(value.jsonText.utf8))
        #expect(decoded == value)
    }

    @Test("a value encoded straight to JSONValue equals the wire encoder's bytes read back")
    func directEncodingMatchesTheWireEncoder() throws {
        var message = SessionMessage(
            id: "m1", sessionID: "s1", userID: "u1", username: nil, type: .comment, content: "see /src \"main\"", mentions: ["u2"],
            file: "a.swift", line: 12, codeSnippet: nil, parentID: nil, toUserID: nil, createdAt: Date(timeIntervalSince1970: 1_764_000_000.1233),
            editedAt: nil, deletedAt: Date(timeIntervalSince1970: 1_764_000_100.5),
            reactions: [ReactionSummary(emoji: "👍", count: 2, userIDs: ["u1", "u2"])]
        )
        message.maskedSecrets = []
        let sample: [String: [SessionMessage?]] = ["thread": [message, nil]]
        let readBack = try WireFormat.makeDecoder().decode(JSONValue.self, from: WireFormat.makeEncoder().encode(sample))
        #expect(try JSONValue(encoding: sample) == readBack)
        guard case .object(let fields) = try JSONValue(encoding: message) else {
            Issue.record("a message encodes as an object")
            return
        }
        #expect(fields["created_at"] == .string("2025-11-24T16:00:00.123Z"))
        #expect(fields["username"] == .null)
    }

    @Test("members given as JSON text are spliced in unparsed, in key order with the rest")
    func splicesRenderedMembers() {
        let fields: [String: JSONValue] = ["type": .string("connected"), "a": .number(1), "z": .null]
        let rendered = ["users": #"[{"user_id":"u1"},{"user_id":"u2"}]"#, "b": "{}"]
        var whole = fields
        whole["users"] = .array([.object(["user_id": .string("u1")]), .object(["user_id": .string("u2")])])
        whole["b"] = .object([:])
        #expect(JSONValue.objectText(fields, splicing: rendered) == JSONValue.object(whole).jsonText)
    }
}
