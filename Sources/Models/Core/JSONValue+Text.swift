extension JSONValue {
    /// Compact JSON with sorted keys and unescaped slashes, like `WireFormat.makeEncoder()`, written directly instead
    /// of through Codable: every stored event and every broadcast frame is serialized here, and the encoder's
    /// generic machinery was a tenth of the server's time under load.
    public var jsonText: String {
        var text = ""
        text.reserveCapacity(256)
        self.write(into: &text)
        return text
    }

    /// The text of `.object(fields)` with members whose values are already JSON text, spliced in unparsed: a large
    /// frame built from cached pieces (a room's presence) is not rendered again from the tree.
    public static func objectText(_ fields: [String: JSONValue], splicing rendered: [String: String]) -> String {
        enum Member {
            case value(JSONValue)
            case text(String)
        }
        let members = fields.map { (key: $0.key, value: Member.value($0.value)) } + rendered.map { (key: $0.key, value: Member.text($0.value)) }
        var text = ""
        Self.writeObject(members.sorted { $0.key < $1.key }, into: &text) { member, text in
            switch member {
            case .value(let value): value.write(into: &text)
            case .text(let rendered): text += rendered
            }
        }
        return text
    }

    private func write(into text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .number(let value): Self.write(value, into: &text)
        case .string(let value): Self.write(value, into: &text)
        case .array(let values):
            text += "["
            for (index, value) in values.enumerated() {
                if index > 0 { text += "," }
                value.write(into: &text)
            }
            text += "]"
        case .object(let fields): Self.writeObject(fields.sorted { $0.key < $1.key }, into: &text) { $0.write(into: &$1) }
        }
    }

    /// `members` in the order given, each value written by `writeValue`.
    private static func writeObject<Value>(
        _ members: [(key: String, value: Value)], into text: inout String, writeValue: (Value, inout String) -> Void
    ) {
        text += "{"
        for (index, member) in members.enumerated() {
            if index > 0 { text += "," }
            Self.write(member.key, into: &text)
            text += ":"
            writeValue(member.value, &text)
        }
        text += "}"
    }

    private static func write(_ number: Double, into text: inout String) {
        guard number.isFinite else {
            text += "null"
            return
        }
        // Whole numbers print without a fraction, as JSONEncoder prints them (ids, counts, line numbers).
        if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
            text += String(Int64(number))
        } else {
            text += number.description
        }
    }

    private static func write(_ string: String, into text: inout String) {
        text += "\""
        guard string.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
            text += string
            text += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
