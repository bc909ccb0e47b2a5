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

/// SQL that every SQL backend shares word for word.
public enum StoreSQL {
    /// A session's columns (`s`) plus the caller's relation to it; `user` stands for the caller's id (a placeholder or
    /// a bound parameter), `ownerOrder` is the column that orders a session's owners (the first is its owner).
    public static func sessionColumns(for user: String, ownerOrder: String) -> String {
        """
        s.*,
        (SELECT user_id FROM session_owners o WHERE o.session_id = s.id ORDER BY o.\(ownerOrder) LIMIT 1) AS owner_id,
        EXISTS (SELECT 1 FROM session_owners o WHERE o.session_id = s.id AND o.user_id = \(user)) AS is_owner,
        (SELECT role FROM session_participants p WHERE p.session_id = s.id AND p.user_id = \(user)) AS participant_role,
        (s.team_id IS NOT NULL AND EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = s.team_id AND m.user_id = \(user)))
            AS is_team_member
        """
    }
}
