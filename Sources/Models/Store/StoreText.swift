import Foundation

/// Text forms every SQL backend stores the same way: string lists as JSON text, and LIKE patterns for a search.
public enum StoreText {
    /// A pattern matching `text` anywhere, with LIKE's wildcards in it escaped by a backslash.
    public static func likePattern(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            + "%"
    }

    public static func json(_ strings: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(strings)) ?? Data("[]".utf8), as: UTF8.self)
    }

    public static func decodeStrings(_ text: String?) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data((text ?? "[]").utf8))) ?? []
    }
}
