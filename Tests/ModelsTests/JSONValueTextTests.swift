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
}
