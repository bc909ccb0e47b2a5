/// How the logged copies of a message follow its edits and deletion, the same in every store: each event that carries
/// the message (its `chat_message`, `code_comment` or `direct_message` and each `message_updated`) is brought to the
/// message's current text, so an edited or deleted text is never served again.
public enum LoggedMessageText {
    /// The message fields whose text an edit or a deletion changes.
    static let fields = ["content", "mentions", "code_snippet", "edited_at", "deleted_at"]

    /// `payload` with the message it carries given the text of `current` (the message as now stored, wire-encoded).
    public static func rewrite(_ payload: [String: JSONValue], to current: [String: JSONValue]) -> [String: JSONValue] {
        var payload = payload
        // A code comment's event carries the message as `comment`, every other as `message`.
        for key in ["message", "comment"] {
            guard case .object(var logged)? = payload[key] else { continue }
            for field in self.fields { logged[field] = current[field] ?? .null }
            // Positions in a text that is no longer there.
            logged["masked_secrets"] = nil
            payload[key] = .object(logged)
        }
        return payload
    }
}
