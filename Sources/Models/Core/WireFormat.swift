import Foundation

/// The JSON coding every transport shares: ISO 8601 UTC times with milliseconds (`2026-11-26T21:25:12.345Z`).
public enum WireFormat {
    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// The current time, placed 0.3 ms into its millisecond: formatters that truncate (the store's) and ones that round
    /// (the wire's) then print the same millisecond, so a time answered now equals the one read back later.
    @Sendable public static func now() -> Date {
        Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 * 1000).rounded(.down) + 0.3) / 1000)
    }

    /// Formats a time the way it appears on the wire.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(self.timestampStyle)
    }

    /// Parses a wire timestamp; fractional seconds are optional on input.
    public static func parseTimestamp(_ text: String) -> Date? {
        (try? self.timestampStyle.parse(text)) ?? (try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text))
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
