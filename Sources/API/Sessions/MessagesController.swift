import Foundation
import Hummingbird
import HummingbirdAuth
import Models

/// `/api/sessions/{session_id}/messages`: the REST face of chat, comments, threads and reactions.
public struct MessagesController<Context: APIRequestContext>: Sendable {
    let messages: MessageService

    public init(messages: MessageService) {
        self.messages = messages
    }

    public func addRoutes(to group: RouterGroup<Context>) {
        group.get(use: self.list)
        group.post(use: self.post)
        group.get("stats", use: self.stats)
        group.patch(":message_id", use: self.edit)
        group.delete(":message_id", use: self.delete)
        group.post(":message_id/reactions", use: self.react)
        group.delete(":message_id/reactions/:emoji", use: self.unreact)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let parameters = request.query
        var query = MessageQuery()
        query.type = try parameters.value("type", as: MessageType.self)
        query.parentID = try parameters.id("parent_id")
        query.file = parameters.string("file")
        query.before = parameters.string("before")
        query.after = parameters.string("after")
        guard query.before == nil || query.after == nil else { throw DomainError.invalid("before", "cannot be combined with after") }
        let page = try await self.messages.list(
            sessionID: try context.sessionID, for: try context.requireUser(), matching: query, page: try parameters.page)
        return page
    }

    @Sendable func post(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let draft = try await request.decode(as: MessageDraft.self, context: context)
        return EditedResponse(status: .created, response: try await self.messages.post(draft, sessionID: try context.sessionID, by: user).value)
    }

    @Sendable func stats(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.messages.stats(sessionID: try context.sessionID, for: try context.requireUser())
    }

    @Sendable func edit(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let edit = try await request.decode(as: MessageEdit.self, context: context)
        return try await self.messages.edit(messageID: try context.messageID, with: edit, sessionID: try context.sessionID, by: user).value
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        try await self.messages.delete(messageID: try context.messageID, sessionID: try context.sessionID, by: try context.requireUser())
        return HTTPResponse.Status.noContent
    }

    @Sendable func react(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let user = try context.requireUser()
        let draft = try await request.decode(as: ReactionDraft.self, context: context)
        let messageID = try context.messageID
        let outcome = try await self.messages.react(draft, messageID: messageID, sessionID: try context.sessionID, by: user)
        return EditedResponse(
            status: outcome.eventID != nil ? .created : .ok, response: MessageReactions(messageID: messageID, reactions: outcome.value))
    }

    @Sendable func unreact(_ request: Request, context: Context) async throws -> some ResponseGenerator {
        let encoded = try context.parameters.require("emoji")
        let emoji = encoded.removingPercentEncoding ?? encoded
        let messageID = try context.messageID
        let reactions = try await self.messages.unreact(
            emoji: emoji, messageID: messageID, sessionID: try context.sessionID, by: try context.requireUser())
        return MessageReactions(messageID: messageID, reactions: reactions.value)
    }
}

extension RequestContext {
    var messageID: String {
        get throws { try self.parameters.require("message_id") }
    }
}

/// A message's reactions after a change.
struct MessageReactions: ResponseEncodable {
    let messageID: String
    let reactions: [ReactionSummary]

    enum CodingKeys: String, CodingKey {
        case reactions
        case messageID = "message_id"
    }
}
