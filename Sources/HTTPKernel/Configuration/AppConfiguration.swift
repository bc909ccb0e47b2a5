import Configuration
import Foundation
import Logging
import Models
import Realtime

/// Every setting of the server, read and validated once at start.
///
/// Values come as text from the environment or `.env`; anything unparseable or out of range stops the start
/// with a message naming the variable, rather than silently falling back to a default.
struct AppConfiguration: Sendable {
    var host: String
    var port: Int
    var database: DatabaseLocation
    var databasePoolSize: Int
    /// PostgreSQL only: the schema of every table, so that several deployments (or test servers) share a database.
    var databaseSchema: String?
    /// The configured key, or nil to use (or create) the one kept in the data folder.
    var jwtSecret: String?
    var accessTokenMinutes: Int
    var refreshTokenDays: Int
    var refreshFamilyMaxDays: Int
    /// When set, the Bearer token `/metrics` requires.
    var metricsToken: String?
    var corsOrigins: [String]
    var corsCredentials: Bool
    var rateLimitPerMinute: Int
    var loginAttemptsPerMinute: Int
    var trustedProxies: TrustedProxies
    var bcryptMaxConcurrent: Int
    var bcryptMaxQueued: Int
    var maxConnections: Int
    var httpIdleTimeoutSeconds: Int
    var httpHeaderTimeoutSeconds: Int
    var httpBodyTimeoutSeconds: Int
    var maxConnectionsPerUser: Int
    var connectsPerMinute: Int
    var maxSessionsPerUser: Int
    var maxTeamSize: Int
    var maxBodyBytes: Int
    var wsMaxMessageBytes: Int
    var wsFramesPerSecond: Int
    var subscriberQueueEvents: Int
    var presenceStaleSeconds: Int
    var presenceJoinWindowMilliseconds: Int
    var presenceNodeTimeoutSeconds: Int
    var sseHeartbeatSeconds: Int
    var logLevel: Logger.Level
    var logFormat: LogFormat
    var bcryptCost: Int
    var secretPolicy: SecretPolicy

    enum LogFormat: String, Sendable {
        case json, text
    }

    init(reader: ConfigReader) throws(ConfigurationError) {
        let values = ConfigurationValues(reader: reader)
        self.host = values.text("HOST")
        self.port = try values.integer("PORT", in: 0...65535)
        self.database = try DatabaseLocation(url: values.text("DATABASE_URL"))
        // With PostgreSQL one connection is held for LISTEN: one more is the least that can work.
        self.databasePoolSize = try values.integer("DATABASE_POOL_SIZE", in: 2...1_000)
        let schema = values.text("DATABASE_SCHEMA")
        guard schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw ConfigurationError("DATABASE_SCHEMA must be letters, digits and underscores")
        }
        self.databaseSchema = schema.isEmpty ? nil : schema
        let secret = values.text("JWT_SECRET_KEY", isSecret: true)
        self.jwtSecret = secret.isEmpty ? nil : secret
        guard values.text("JWT_ALGORITHM").uppercased() == "HS256" else {
            throw ConfigurationError("JWT_ALGORITHM: only HS256 is supported")
        }
        self.accessTokenMinutes = try values.integer("ACCESS_TOKEN_EXPIRE_MINUTES", in: 1...(60 * 24 * 7))
        self.refreshTokenDays = try values.integer("REFRESH_TOKEN_EXPIRE_DAYS", in: 1...365)
        self.refreshFamilyMaxDays = try values.integer("REFRESH_FAMILY_MAX_DAYS", in: 1...3650)
        let metricsToken = values.text("METRICS_TOKEN", isSecret: true)
        self.metricsToken = metricsToken.isEmpty ? nil : metricsToken
        self.corsOrigins = values.list("CORS_ORIGINS")
        self.corsCredentials = try values.boolean("CORS_CREDENTIALS")
        self.rateLimitPerMinute = try values.integer("RATE_LIMIT_PER_MINUTE", in: 1...100_000_000)
        self.loginAttemptsPerMinute = try values.integer("LOGIN_ATTEMPTS_PER_MINUTE", in: 1...100_000_000)
        self.trustedProxies = try TrustedProxies(values.list("TRUSTED_PROXIES"))
        let bcryptMaxConcurrent = try values.integer("BCRYPT_MAX_CONCURRENT", in: 0...1024)
        self.bcryptMaxConcurrent = bcryptMaxConcurrent == 0 ? ProcessInfo.processInfo.activeProcessorCount : bcryptMaxConcurrent
        self.bcryptMaxQueued = try values.integer("BCRYPT_MAX_QUEUED", in: 0...1_000_000)
        self.maxConnections = try values.integer("MAX_CONNECTIONS", in: 1...10_000_000)
        self.httpIdleTimeoutSeconds = try values.integer("HTTP_IDLE_TIMEOUT_SECONDS", in: 1...86_400)
        self.httpHeaderTimeoutSeconds = try values.integer("HTTP_HEADER_TIMEOUT_SECONDS", in: 1...3_600)
        self.httpBodyTimeoutSeconds = try values.integer("HTTP_BODY_TIMEOUT_SECONDS", in: 1...86_400)
        self.maxConnectionsPerUser = try values.integer("MAX_CONNECTIONS_PER_USER", in: 1...1_000_000)
        self.connectsPerMinute = try values.integer("CONNECTS_PER_MINUTE", in: 1...100_000_000)
        self.maxSessionsPerUser = try values.integer("MAX_SESSIONS_PER_USER", in: 1...1_000_000)
        self.maxTeamSize = try values.integer("MAX_TEAM_SIZE", in: 1...1_000_000)
        self.maxBodyBytes = try values.integer("MAX_BODY_BYTES", in: 1024...(512 * 1024 * 1024))
        self.wsMaxMessageBytes = try values.integer("WS_MAX_MESSAGE_BYTES", in: 256...(1024 * 1024))
        self.wsFramesPerSecond = try values.integer("WS_FRAMES_PER_SECOND", in: 1...1_000_000)
        self.subscriberQueueEvents = try values.integer("SUBSCRIBER_QUEUE_EVENTS", in: 1...10_000_000)
        self.presenceStaleSeconds = try values.integer("PRESENCE_STALE_SECONDS", in: 1...86_400)
        self.presenceJoinWindowMilliseconds = try values.integer("PRESENCE_JOIN_WINDOW_MS", in: 0...10_000)
        // At least a few heartbeats (one a second): one late heartbeat must not make a node dead.
        self.presenceNodeTimeoutSeconds = try values.integer("PRESENCE_NODE_TIMEOUT_SECONDS", in: 3...3_600)
        self.sseHeartbeatSeconds = try values.integer("SSE_HEARTBEAT_SECONDS", in: 1...3_600)
        guard let level = Logger.Level(rawValue: values.text("LOG_LEVEL").lowercased()) else {
            throw ConfigurationError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
        }
        self.logLevel = level
        guard let format = LogFormat(rawValue: values.text("LOG_FORMAT").lowercased()) else {
            throw ConfigurationError("LOG_FORMAT must be json or text")
        }
        self.logFormat = format
        self.bcryptCost = try values.integer("BCRYPT_COST", in: 4...31)
        guard let secretPolicy = SecretPolicy(rawValue: values.text("SECRET_POLICY").lowercased()) else {
            throw ConfigurationError("SECRET_POLICY must be mask, reject or off")
        }
        self.secretPolicy = secretPolicy
        try self.validateSecretRules()
    }

    private func validateSecretRules() throws(ConfigurationError) {
        if let secret = self.jwtSecret, secret.utf8.count < 32 {
            throw ConfigurationError("JWT_SECRET_KEY must be at least 32 bytes (it is \(secret.utf8.count)); try: openssl rand -hex 32")
        }
    }
}

/// Reads option values as text, falling back to the option's documented default.
private struct ConfigurationValues {
    let reader: ConfigReader

    func text(_ name: String, isSecret: Bool = false) -> String {
        let option = ConfigurationOption.named(name)
        let value = self.reader.string(forKey: ConfigKey(option.key), isSecret: isSecret, default: option.defaultValue)
        return value.trimmingCharacters(in: .whitespaces)
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = self.text(name)
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    func boolean(_ name: String) throws(ConfigurationError) -> Bool {
        switch self.text(name).lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off", "": return false
        case let other: throw ConfigurationError("\(name) must be true or false, got '\(other)'")
        }
    }

    func list(_ name: String) -> [String] {
        self.text(name).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension AppConfiguration {
    var realtimeLimits: RealtimeLimits {
        RealtimeLimits(
            maxMessageBytes: self.wsMaxMessageBytes,
            framesPerSecond: self.wsFramesPerSecond,
            subscriberQueueEvents: self.subscriberQueueEvents,
            presenceStaleSeconds: self.presenceStaleSeconds,
            sseHeartbeatSeconds: self.sseHeartbeatSeconds,
            maxConnectionsPerUser: self.maxConnectionsPerUser,
            arrivalWindow: .milliseconds(self.presenceJoinWindowMilliseconds)
        )
    }
}
