import Foundation

extension WireFormat {
    /// Whether a JSON text has a string holding the NUL character. JSON carries it only escaped (`\u0000`): the scan
    /// looks at escapes alone, so an escaped backslash followed by "u0000" is text. PostgreSQL refuses NUL in text
    /// and no field means anything with one, so both stores' clients are refused it alike, before anything is written.
    public static func containsNUL(json data: Data) -> Bool {
        let backslash = UInt8(ascii: "\\")
        guard data.contains(backslash) else { return false }
        return data.withUnsafeBytes { bytes in
            var index = 0
            while index < bytes.count {
                guard bytes[index] == backslash else {
                    index += 1
                    continue
                }
                if index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
                    (index + 2...index + 5).allSatisfy({ bytes[$0] == UInt8(ascii: "0") })
                {
                    return true
                }
                // Past the escaped character, so that the second backslash of "\\" starts nothing.
                index += 2
            }
            return false
        }
    }
}
