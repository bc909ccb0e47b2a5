import Models

/// One present user's parts of `connected`, as JSON text: each is rendered once per change of the user's presence
/// rather than once per connection that joins their room.
struct RenderedPresence: Sendable {
    let username: String
    /// An item of `users`.
    let user: String
    /// An item of `participants`.
    let participant: String
    /// A member of `presence`: `"<user id>":"<status>"`.
    let status: String

    init(_ snapshot: PresenceSnapshot) {
        self.username = snapshot.username
        self.user = snapshot.json.jsonText
        self.participant = snapshot.participantJSON.jsonText
        let member = JSONValue.object([snapshot.userID: .string(snapshot.status.rawValue)]).jsonText
        self.status = String(member.dropFirst().dropLast())
    }
}

extension [RenderedPresence] {
    /// `users`, `participants` and `presence` of `connected`, to splice into its text.
    var connectedMembers: [String: String] {
        [
            "users": "[" + self.map(\.user).joined(separator: ",") + "]",
            "participants": "[" + self.map(\.participant).joined(separator: ",") + "]",
            "presence": "{" + self.map(\.status).joined(separator: ",") + "}",
        ]
    }
}
