/// How a request's body is framed, read from its raw head: what `ConnectionGuardHandler` must follow to find the next
/// request. Read from bytes, header names matched without regard to case, since it runs for every request.
enum HeadFraming: Equatable {
    /// `Upgrade: websocket` on a head without a body: frames follow, not requests. (A head with a body is never
    /// taken for one: its body must still be followed and timed, and no server upgrades it.)
    case webSocketUpgrade
    /// `Transfer-Encoding: chunked`.
    case chunked
    /// `Content-Length`.
    case length(Int)
    /// No body.
    case none

    init(head: [UInt8]) {
        var (upgrade, chunked, length) = (false, false, Int?.none)
        var lineStart = head.startIndex
        // The request line is skipped: headers start after the first CRLF.
        var isRequestLine = true
        while lineStart < head.endIndex {
            let lineEnd = head[lineStart...].firstIndex(of: UInt8(ascii: "\r")) ?? head.endIndex
            defer { lineStart = lineEnd + 2 }
            guard !isRequestLine else {
                isRequestLine = false
                continue
            }
            let line = head[lineStart..<lineEnd]
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let (name, value) = (line[..<colon], Self.trimmed(line[(colon + 1)...]))
            if Self.equalsIgnoringCase(name, "upgrade") {
                upgrade = upgrade || Self.equalsIgnoringCase(value, "websocket")
            } else if Self.equalsIgnoringCase(name, "transfer-encoding") {
                chunked = chunked || Self.containsIgnoringCase(value, "chunked")
            } else if Self.equalsIgnoringCase(name, "content-length") {
                length = Int(String(decoding: value, as: UTF8.self))
            }
        }
        if chunked {
            self = .chunked
        } else if let length, length > 0 {
            self = .length(length)
        } else if upgrade {
            self = .webSocketUpgrade
        } else {
            self = .none
        }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return bytes[first...last]
    }

    /// `text` is lowercase ASCII.
    private static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
        bytes.count == text.utf8CodeUnitCount && Self.matches(bytes, at: bytes.startIndex, text)
    }

    private static func containsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count >= text.utf8CodeUnitCount else { return false }
        return (bytes.startIndex...(bytes.endIndex - text.utf8CodeUnitCount)).contains { Self.matches(bytes, at: $0, text) }
    }

    private static func matches(_ bytes: ArraySlice<UInt8>, at start: Int, _ text: StaticString) -> Bool {
        text.withUTF8Buffer { expected in
            expected.indices.allSatisfy { offset in
                let byte = bytes[start + offset]
                // ASCII letters only differ by 0x20 between cases.
                return byte == expected[offset] || (byte | 0x20 == expected[offset] && expected[offset] >= UInt8(ascii: "a"))
            }
        }
    }
}
