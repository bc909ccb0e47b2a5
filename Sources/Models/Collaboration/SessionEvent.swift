import Foundation

/// A durable entry of a session's append-only event log; its `id` is what clients resume from.
public struct SessionEvent: Sendable, Equatable {
    public let id: Int64
    public let sessionID: String
    /// The wire type: the log, its `?type=` filter and replay share these names.
    public let type: Kind
    public let actorID: String?
    /// Set on a direct message: only the actor (its sender) and this user may read the event, live or in the log.
    public let recipientID: String?
    public let createdAt: Date
    /// The event's own fields (`message`, `changes` ...), without the envelope (`type`, `session_id`, `ts`, `id`).
    public let payload: [String: JSONValue]

    public init(
        id: Int64, sessionID: String, type: Kind, actorID: String?, recipientID: String? = nil, createdAt: Date,
        payload: [String: JSONValue]
    ) {
        self.id = id
        self.sessionID = sessionID
        self.type = type
        self.actorID = actorID
        self.recipientID = recipientID
        self.createdAt = createdAt
        self.payload = payload
    }

    /// Who may read it: its actor and recipient for a direct message, nil (everyone who sees the session) otherwise.
    public var audience: Set<String>? {
        guard let recipientID = self.recipientID else { return nil }
        return Set([recipientID] + (self.actorID.map { [$0] } ?? []))
    }

    /// The server frame clients receive: the payload plus `type`, `session_id`, `timestamp` (and `ts`) and `id`.
    public var frame: [String: JSONValue] {
        var frame = self.payload
        frame["type"] = .string(self.type.rawValue)
        frame["session_id"] = .string(self.sessionID)
        WireFormat.stamp(&frame, at: self.createdAt)
        frame["id"] = .number(Double(self.id))
        return frame
    }
}

extension SessionEvent {
    /// The durable events of the realtime protocol, by their wire names.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case userJoined = "user_joined"
        case userLeft = "user_left"
        case chatMessage = "chat_message"
        case codeComment = "code_comment"
        case directMessage = "direct_message"
        case messageUpdated = "message_updated"
        case messageDeleted = "message_deleted"
        case reactionUpdate = "reaction_update"
        case sessionUpdate = "session_update"
        case participantUpdated = "participant_updated"
    }
}

/// An event about to be appended; the store gives it its id and time in the same transaction as the change it records.
public struct NewSessionEvent: Sendable, Equatable {
    public let sessionID: String
    public let type: SessionEvent.Kind
    public let actorID: String?
    /// A direct message's recipient: the event is private to the actor and this user.
    public let recipientID: String?
    /// The message whose text the payload carries: its events follow the message's edits and deletion, so an old
    /// or deleted text is never served again.
    public let messageID: String?
    public let payload: [String: JSONValue]

    public init(
        sessionID: String, type: SessionEvent.Kind, actorID: String?, recipientID: String? = nil, messageID: String? = nil,
        payload: [String: JSONValue]
    ) {
        self.sessionID = sessionID
        self.type = type
        self.actorID = actorID
        self.recipientID = recipientID
        self.messageID = messageID
        self.payload = payload
    }

    /// The event as appended, with the id and time its store gave it.
    public func stored(id: Int64, at time: Date) -> SessionEvent {
        SessionEvent(
            id: id, sessionID: self.sessionID, type: self.type, actorID: self.actorID, recipientID: self.recipientID, createdAt: time,
            payload: self.payload
        )
    }
}
