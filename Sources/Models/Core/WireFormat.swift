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

    /// Parses an RFC 3339 timestamp: any offset, fractional seconds of any length or none (what JSON Schema's
    /// `date-time` allows), so every time a client may send by the contract is accepted.
    public static func parseTimestamp(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let withoutFraction = ISO8601DateFormatter()
        withoutFraction.formatOptions = [.withInternetDateTime]
        return withFraction.date(from: text) ?? withoutFraction.date(from: text)
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
