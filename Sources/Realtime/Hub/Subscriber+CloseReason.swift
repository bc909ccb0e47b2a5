import Models

extension Subscriber.CloseReason {
    /// What a client is told when the hub ends its subscription: the WebSocket's error frame before the close, the
    /// SSE stream's last event. One text per reason for both transports.
    var farewell: (code: ErrorCode, message: String)? {
        switch self {
        case .slowConsumer: (.slowConsumer, "Fell too far behind; reconnect from your last event id")
        case .accessLost: (.accessRevoked, "You no longer have access to this session")
        case .sessionDeleted: (.notFound, "The session was deleted")
        case .tokenExpired: (.tokenExpired, "The access token expired; reconnect with a fresh one")
        case .credentialsChanged: (.unauthorized, "Your password changed; sign in again")
        case .flooding: (.rateLimited, "Too many messages; connection closed")
        case .shutdown, .clientGone: nil
        }
    }

    /// The WebSocket close code; nil when the client closed first.
    var webSocketCloseCode: Int? {
        switch self {
        case .slowConsumer: 1013
        case .accessLost: 4403
        case .sessionDeleted: 4404
        case .tokenExpired, .credentialsChanged: 4401
        case .flooding: 1008
        case .shutdown: 1001
        case .clientGone: nil
        }
    }
}
