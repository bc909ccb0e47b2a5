import Foundation
import Models

/// A message from a client, over a WebSocket frame or `POST /api/sessions/{id}/actions` (the same JSON either way).
public struct ClientMessage: Sendable {
    public enum Kind: Sendable {
        case chat(MessageDraft)
        case codeComment(MessageDraft)
        case reaction(messageID: String, emoji: String, add: Bool)
        case sessionUpdate(SessionChanges)
        case editMessage(messageID: String, content: String)
        case deleteMessage(messageID: String)
        case directMessage(DirectMessageDraft)
        case cursor(Cursor)
        case viewport(Viewport)
        case presence(PresenceStatus)
        case auth(token: String)
        case ping
    }

    public let kind: Kind
    /// Echoed in the `ack` or `error` that answers this message.
    public let ref: JSONValue?

    /// Decodes a message; a frame that is not JSON, has an unknown type or lacks a field throws a `ClientMessageError`:
    /// a `DomainError.rejectedMessage` with INVALID_JSON, UNKNOWN_TYPE or VALIDATION_FAILED, and the `ref` it could read.
    public static func decode(_ data: some DataProtocol) throws(ClientMessageError) -> ClientMessage {
        let bytes = Data(data)
        guard let value = try? WireFormat.makeDecoder().decode(JSONValue.self, from: bytes), case .object(let object) = value else {
            throw ClientMessageError(ref: nil, error: .rejectedMessage(errorCode: .invalidJSON, "The message is not a JSON object"))
        }
        let fields = MessageFields(object)
        let ref = object["ref"]
        if WireFormat.containsNUL(json: bytes) {
            throw ClientMessageError(ref: ref, error: .rejectedMessage(errorCode: .validationFailed, "text must not contain the NUL character"))
        }
        do {
            return ClientMessage(kind: try self.kind(of: fields), ref: ref)
        } catch {
            throw ClientMessageError(ref: ref, error: error)
        }
    }

    private static func kind(of fields: MessageFields) throws(DomainError) -> Kind {
        guard case .string(let type)? = fields.object["type"] else {
            throw .rejectedMessage(errorCode: .validationFailed, "type: is required and must be a string")
        }
        switch type {
        case "chat_message":
            return .chat(MessageDraft(type: .chat, content: try fields.string("content"), parentID: try fields.optionalString("parent_id")))
        case "code_comment":
            let data = try fields.nested("data")
            return .codeComment(
                MessageDraft(
                    type: .comment, content: try data.string("content"), file: try data.string("file"), line: try data.integer("line"),
                    codeSnippet: try data.optionalString("code_snippet")
                )
            )
        case "reaction":
            let action = try fields.string("action")
            guard action == "add" || action == "remove" else { throw Self.invalid("action", "must be add or remove") }
            return .reaction(messageID: try fields.string("message_id"), emoji: try fields.string("emoji"), add: action == "add")
        case "session_update":
            return .sessionUpdate(try self.sessionChanges(try fields.nested("changes")))
        case "edit_message":
            return .editMessage(messageID: try fields.string("message_id"), content: try fields.string("content"))
        case "delete_message":
            return .deleteMessage(messageID: try fields.string("message_id"))
        case "direct_message":
            return .directMessage(DirectMessageDraft(toUserID: try fields.string("to_user_id"), content: try fields.string("content")))
        case "cursor_update":
            let data = try fields.nested("data")
            let (file, line, column) = try (data.string("file"), data.integer("line"), data.integer("column"))
            return .cursor(try data.validated { () throws(DomainError) in try Cursor(file: file, line: line, column: column) })
        case "viewport_update":
            let data = try fields.nested("data")
            let (file, start, end) = try (data.string("file"), data.integer("start_line"), data.integer("end_line"))
            return .viewport(try data.validated { () throws(DomainError) in try Viewport(file: file, startLine: start, endLine: end) })
        case "presence_update":
            guard let status = PresenceStatus(rawValue: try fields.string("status")) else {
                throw Self.invalid("status", "must be active, idle or away")
            }
            return .presence(status)
        case "auth":
            return .auth(token: try fields.string("token"))
        case "ping":
            return .ping
        default:
            throw .rejectedMessage(errorCode: .unknownType, "Unknown message type '\(type.prefix(64))'")
        }
    }

    /// The seed's session_update carries tags, description and status; anything else is refused, not ignored.
    private static func sessionChanges(_ changes: MessageFields) throws(DomainError) -> SessionChanges {
        let allowed: Set<String> = ["tags", "description", "status"]
        if let unknown = changes.object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Self.invalid("changes.\(unknown)", "cannot be changed here (tags, description and status can)")
        }
        do {
            let data = try WireFormat.makeEncoder().encode(JSONValue.object(changes.object))
            return try WireFormat.makeDecoder().decode(SessionChanges.self, from: data)
        } catch let error as DomainError {
            throw error
        } catch {
            throw Self.invalid("changes", "tags must be a list of strings, description and status strings")
        }
    }

    static func invalid(_ field: String, _ message: String) -> DomainError {
        .rejectedMessage(errorCode: .validationFailed, "\(field): \(message)")
    }
}

/// A refused message and the `ref` to answer it with.
public struct ClientMessageError: Error, Sendable {
    public let ref: JSONValue?
    public let error: DomainError
}

/// Typed reads of a message's fields, each failure naming the field.
struct MessageFields {
    let object: [String: JSONValue]
    let path: String

    init(_ object: [String: JSONValue], path: String = "") {
        self.object = object
        self.path = path
    }

    func string(_ key: String) throws(DomainError) -> String {
        guard case .string(let value)? = self.object[key] else { throw ClientMessage.invalid(self.path + key, "is required and must be a string") }
        return value
    }

    func optionalString(_ key: String) throws(DomainError) -> String? {
        switch self.object[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw ClientMessage.invalid(self.path + key, "must be a string")
        }
    }

    /// A whole number; its bounds are the Models type's to check (`CodeLocation`).
    func integer(_ key: String) throws(DomainError) -> Int {
        guard case .number(let value)? = self.object[key], value.rounded() == value, abs(value) < 1e15 else {
            throw ClientMessage.invalid(self.path + key, "is required and must be an integer")
        }
        return Int(value)
    }

    /// A value built by a Models type that checks its own rules; its field problems are named from the message's root.
    func validated<Value>(_ make: () throws(DomainError) -> Value) throws(DomainError) -> Value {
        do {
            return try make()
        } catch .invalid(let problems) {
            throw .rejectedMessage(errorCode: .validationFailed, problems.map { "\(self.path)\($0.field): \($0.message)" }.joined(separator: "; "))
        } catch {
            throw error
        }
    }

    func nested(_ key: String) throws(DomainError) -> MessageFields {
        guard case .object(let value)? = self.object[key] else { throw ClientMessage.invalid(self.path + key, "is required and must be an object") }
        return MessageFields(value, path: self.path + key + ".")
    }
}
