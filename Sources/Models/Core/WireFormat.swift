import Foundation

/// The JSON coding every transport shares: ISO 8601 UTC times with milliseconds (`2026-11-26T21:25:12.345Z`).
public enum WireFormat {

    /// The current time, placed inside its millisecond (see `placed`).
    @Sendable public static func now() -> Date {
        self.placed(Date())
    }

    /// The time 0.3 ms into its millisecond. The store keeps times to the millisecond and the wire shows them so; a
    /// time placed there shows the same millisecond when answered at once and when read back later, whatever
    /// floating-point error either side adds.
    public static func placed(_ date: Date) -> Date {
        Date(timeIntervalSince1970: ((date.timeIntervalSince1970 * 1000).rounded(.down) + 0.3) / 1000)
    }

    /// Formats a time the way it appears on the wire, to the nearest millisecond. Written out by hand: every
    /// response and event carries several, and `Date.ISO8601FormatStyle` cost microseconds each.
    ///
    /// Nearest, not cut: a time read back from the store (kept to the millisecond) can come back a hair below it as a
    /// `Double`, and cutting would show it a millisecond earlier than it was first answered.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = (milliseconds.floorDivided(by: 1000), Int(milliseconds.floorModulo(1000)))
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var text = [UInt8]()
        text.reserveCapacity(24)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        text.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        text.append(UInt8(ascii: "."))
        digits(Int(fraction), 3)
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// Puts a server frame's time in it: `timestamp`, as the seed's frames have it, and `ts`, the same time, for the
    /// clients written against this server's first protocol.
    public static func stamp(_ frame: inout [String: JSONValue], at date: Date) {
        let time = JSONValue.string(self.timestamp(date))
        frame["timestamp"] = time
        frame["ts"] = time
    }

    /// Parses an RFC 3339 timestamp: any offset, fractional seconds of any length or none (what JSON Schema's
    /// `date-time` allows), so every time a client may send by the contract is accepted. Finer than a millisecond it
    /// is cut to one, as the store would keep it.
    public static func parseTimestamp(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let withoutFraction = ISO8601DateFormatter()
        withoutFraction.formatOptions = [.withInternetDateTime]
        return (withFraction.date(from: text) ?? withoutFraction.date(from: text)).map(self.placed)
    }

    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(WireFormat.timestamp(date))
        }
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = WireFormat.parseTimestamp(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO 8601 timestamp")
            }
            return date
        }
        return decoder
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        (self - self.floorModulo(divisor)) / divisor
    }

    fileprivate func floorModulo(_ divisor: Int64) -> Int64 {
        ((self % divisor) + divisor) % divisor
    }
}
