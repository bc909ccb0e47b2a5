import Foundation
import Logging
import Models

/// Writes one JSON object per log line to standard output: time, level, label, message and metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: JSONValue] = [:]
        let merged = self.metadata.merging(self.metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged { fields[key] = Self.json(value) }
        fields["ts"] = .string(WireFormat.timestamp(Date()))
        fields["level"] = .string(event.level.rawValue)
        fields["label"] = .string(self.label)
        fields["message"] = .string(event.message.description)
        guard var line = try? WireFormat.makeEncoder().encode(fields) else { return }
        line.append(0x0A)
        // One write(2) per line: concurrent log lines never interleave.
        FileHandle.standardOutput.write(line)
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(self.json))
        case .dictionary(let values): .object(values.mapValues(self.json))
        }
    }
}
