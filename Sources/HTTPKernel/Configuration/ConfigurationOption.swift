import Foundation

/// One environment variable SessionHub reads: the single list behind `--help` and `.env.example`.
struct ConfigurationOption: Sendable {
    let name: String
    let defaultValue: String
    let summary: String

    /// The configuration key for swift-configuration: `DATABASE_URL` is read as `database_url`.
    var key: String { self.name.lowercased() }

    static let all: [ConfigurationOption] = [
        .init(name: "HOST", defaultValue: "0.0.0.0", summary: "Address to listen on."),
        .init(name: "PORT", defaultValue: "8000", summary: "Port to listen on; 0 picks a free port and the log says which."),
        .init(
            name: "DATABASE_URL",
            defaultValue: "sqlite:///./data/sessionhub.sqlite",
            summary: "sqlite:///<path> for a file, sqlite::memory: for a throwaway store, postgres://user:password@host:port/database."
        ),
        .init(
            name: "DATABASE_POOL_SIZE",
            defaultValue: "10",
            summary: "Connections to PostgreSQL one server opens at most (2 or more: one listens for the other nodes)."
        ),
        .init(
            name: "DATABASE_SCHEMA",
            defaultValue: "",
            summary: "PostgreSQL schema to keep SessionHub's tables in (created if missing); empty for the search path's."
        ),
        .init(
            name: "JWT_SECRET_KEY",
            defaultValue: "",
            summary: "HS256 key, at least 32 bytes; when unset one is generated and kept in the data folder."
        ),
        .init(name: "JWT_ALGORITHM", defaultValue: "HS256", summary: "Access token algorithm; only HS256 is supported."),
        .init(name: "ACCESS_TOKEN_EXPIRE_MINUTES", defaultValue: "30", summary: "Lifetime of an access token."),
        .init(name: "REFRESH_TOKEN_EXPIRE_DAYS", defaultValue: "30", summary: "Lifetime of a refresh token (each works once)."),
        .init(
            name: "REFRESH_FAMILY_MAX_DAYS",
            defaultValue: "90",
            summary: "Longest a login lasts through refreshes; then the user signs in again."
        ),
        .init(name: "CORS_ORIGINS", defaultValue: "", summary: "Comma-separated browser origins allowed to call the API; * for any."),
        .init(name: "CORS_CREDENTIALS", defaultValue: "false", summary: "Whether browsers may send credentials cross-origin."),
        .init(name: "RATE_LIMIT_PER_MINUTE", defaultValue: "600", summary: "REST writes per minute per user (or per address before login)."),
        .init(
            name: "LOGIN_ATTEMPTS_PER_MINUTE",
            defaultValue: "10",
            summary: "Logins and registrations per minute per client address and username."
        ),
        .init(
            name: "TRUSTED_PROXIES",
            defaultValue: "",
            summary: "Comma-separated CIDRs of proxies whose X-Forwarded-For names the client (nobody else's is believed)."
        ),
        .init(name: "BCRYPT_MAX_CONCURRENT", defaultValue: "0", summary: "Password hashes at once; 0: one per CPU core."),
        .init(name: "BCRYPT_MAX_QUEUED", defaultValue: "64", summary: "Password hashes waiting; more answer 503 with Retry-After."),
        .init(name: "MAX_CONNECTIONS", defaultValue: "20000", summary: "Open connections to the server; more answer 503."),
        .init(name: "HTTP_IDLE_TIMEOUT_SECONDS", defaultValue: "60", summary: "An HTTP connection with no request in progress is closed after this."),
        .init(
            name: "HTTP_HEADER_TIMEOUT_SECONDS",
            defaultValue: "10",
            summary: "Time from a request's first byte to the end of its headers; slower clients are cut off."
        ),
        .init(name: "HTTP_BODY_TIMEOUT_SECONDS", defaultValue: "30", summary: "Time to receive a request body (408 after it)."),
        .init(name: "MAX_CONNECTIONS_PER_USER", defaultValue: "20", summary: "Live WebSocket and SSE connections one user may hold."),
        .init(name: "CONNECTS_PER_MINUTE", defaultValue: "120", summary: "WebSocket and SSE connections opened per minute per client address."),
        .init(name: "MAX_SESSIONS_PER_USER", defaultValue: "100", summary: "Sessions one user may own."),
        .init(name: "MAX_TEAM_SIZE", defaultValue: "50", summary: "Members one team may have."),
        .init(name: "MAX_BODY_BYTES", defaultValue: "1048576", summary: "Largest accepted request body; larger ones get 413."),
        .init(name: "WS_MAX_MESSAGE_BYTES", defaultValue: "65536", summary: "Largest accepted WebSocket message."),
        .init(name: "WS_FRAMES_PER_SECOND", defaultValue: "50", summary: "Inbound WebSocket frames per second per connection (burst twice that)."),
        .init(name: "SUBSCRIBER_QUEUE_EVENTS", defaultValue: "1000", summary: "Durable events queued for a slow subscriber before it is closed."),
        .init(name: "PRESENCE_STALE_SECONDS", defaultValue: "300", summary: "Silence after which a user's presence is dropped."),
        .init(
            name: "PRESENCE_JOIN_WINDOW_MS",
            defaultValue: "50",
            summary: "Arrivals after an announced one wait this long to be announced together (users_joined); 0: each at once."
        ),
        .init(
            name: "PRESENCE_NODE_TIMEOUT_SECONDS",
            defaultValue: "15",
            summary: "PostgreSQL only: a node silent this long is dead, and another node announces its users as left."
        ),
        .init(name: "SSE_HEARTBEAT_SECONDS", defaultValue: "15", summary: "Interval of SSE comment heartbeats."),
        .init(
            name: "SECRET_POLICY",
            defaultValue: "mask",
            summary: "Secrets in chat, comments, snippets and insights: mask them, reject the write (422), or off."
        ),
        .init(
            name: "METRICS_TOKEN",
            defaultValue: "",
            summary: "When set, /metrics answers only Authorization: Bearer <this token>."
        ),
        .init(name: "LOG_LEVEL", defaultValue: "info", summary: "trace, debug, info, notice, warning, error or critical."),
        .init(name: "LOG_FORMAT", defaultValue: "json", summary: "json (one object per line) or text."),
        .init(name: "BCRYPT_COST", defaultValue: "12", summary: "bcrypt work factor, 4-31."),
    ]

    static func named(_ name: String) -> ConfigurationOption {
        guard let option = self.all.first(where: { $0.name == name }) else { preconditionFailure("unknown option \(name)") }
        return option
    }

    /// The text of `sessionhub --help`.
    static var helpText: String {
        let width = self.all.map(\.name.count).max() ?? 0
        let lines = self.all.map { option in
            let padded = option.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let fallback = option.defaultValue.isEmpty ? "" : " (default: \(option.defaultValue))"
            return "  \(padded)  \(option.summary)\(fallback)"
        }
        return """
            sessionhub: the SessionHub server (REST, SSE and WebSocket collaboration for LLM coding sessions).

            Usage: sessionhub [--help]

            Configuration comes from environment variables, then from a .env file in the working directory:

            \(lines.joined(separator: "\n"))
            """
    }
}
