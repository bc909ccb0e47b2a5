import Foundation
import HTTPTypes
import Hummingbird
import Models

/// How both transports read a request that opens a live connection.
extension CollaborationGateway {
    /// The caller and their token's expiry: `Authorization: Bearer`, or `?token=` for clients that cannot set headers
    /// (a browser's WebSocket and EventSource).
    func identify(_ request: Request) async throws -> RealtimeIdentity {
        let token = request.headers[.authorization].flatMap(BearerToken.parse) ?? request.uri.queryParameters.get("token")
        guard let token else { throw DomainError.unauthorized("Send the access token as Authorization: Bearer or ?token=") }
        return try await self.authenticator.identity(forToken: token)
    }

    /// Where to resume: `Last-Event-ID` (sent by EventSource on its own) or `?since=`; nil to start live.
    func resumePoint(of request: Request) throws(DomainError) -> Int64? {
        guard let text = request.headers[.lastEventID] ?? request.uri.queryParameters.get("since"), !text.isEmpty else { return nil }
        guard let id = Int64(text), id >= 0 else { throw .invalid("since", "must be an event id (a non-negative integer)") }
        return id
    }
}

extension HTTPField.Name {
    /// Where an SSE client resumes; CORS must allow it too.
    public static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
