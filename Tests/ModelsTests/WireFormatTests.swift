import Foundation
import Models
import Testing

@Suite("Wire format")
struct WireFormatTests {
    @Test func timestampsAreUTCWithMilliseconds() throws {
        let date = Date(timeIntervalSince1970: 1_795_728_312.345)
        #expect(WireFormat.timestamp(date) == "2026-11-26T21:25:12.345Z")
        let parsed = try #require(WireFormat.parseTimestamp("2026-11-26T21:25:12.345Z"))
        #expect(abs(parsed.timeIntervalSince1970 - 1_795_728_312.345) < 0.001)
        #expect(WireFormat.parseTimestamp("2026-11-26T21:25:12Z") != nil)
        #expect(WireFormat.parseTimestamp("2026-11-26T23:25:12.123456+02:00").map(WireFormat.timestamp)?.hasPrefix("2026-11-26T21:25:12.12") == true)
        #expect(WireFormat.parseTimestamp("yesterday") == nil)
    }

    @Test func timestampsMatchFoundationsISO8601FormattingOfTimesPlacedInTheirMillisecond() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        var generator = SystemRandomNumberGenerator()
        let samples =
            [0, 951_782_400.9995, 1_795_728_312.0004, 4_102_444_799.999]
            + (0..<20_000).map { _ in Double.random(in: 0..<4_102_444_800, using: &generator) }
        for seconds in samples {
            let date = WireFormat.placed(Date(timeIntervalSince1970: seconds))
            #expect(WireFormat.timestamp(date) == date.formatted(style), "\(seconds)")
        }
        #expect(WireFormat.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func aTimeAHairBelowItsMillisecondShowsThatMillisecond() {
        // What a time kept to the millisecond can read back as.
        #expect(WireFormat.timestamp(Date(timeIntervalSince1970: 1_795_728_312.001 - 1e-9)) == "2026-11-26T21:25:12.001Z")
        #expect(WireFormat.timestamp(Date(timeIntervalSince1970: 1_795_728_312.9999999)) == "2026-11-26T21:25:13.000Z")
        #expect(WireFormat.parseTimestamp("2026-11-26T21:25:12.9996Z").map(WireFormat.timestamp) == "2026-11-26T21:25:12.999Z")
    }

    @Test func jsonValuesRoundTrip() throws {
        let value: JSONValue = .object(["a": .array([.number(1.5), .bool(true), .null, .string("x")])])
        let data = try WireFormat.makeEncoder().encode(value)
        #expect(String(decoding: data, as: UTF8.self) == #"{"a":[1.5,true,null,"x"]}"#)
        #expect(try WireFormat.makeDecoder().decode(JSONValue.self, from: data) == value)
    }
}
