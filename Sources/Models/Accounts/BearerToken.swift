import Foundation

/// The token of an `Authorization: Bearer <token>` header, as REST, SSE and WebSocket all read it.
public enum BearerToken {
    public static func parse(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
