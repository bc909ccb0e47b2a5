import API
import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Models
import NIOCore
import PostgresStore
import Realtime

/// Builds the whole server from configuration: store, services, hub, middleware and routes, in that order.
/// Tests call it with an in-memory configuration; `sessionhub` calls it with the environment.
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let configuration = try AppConfiguration(reader: reader)
    return try await buildApplication(configuration: configuration, logger: makeLogger(configuration))
}

func buildApplication(configuration: AppConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    // First: metrics made before swift-metrics is bootstrapped would record nowhere.
    let metrics = PrometheusMetrics.registry
    // The store publishes each committed event into the bridge; the hub consumes it in commit order.
    let backend = try await StoreBackend.open(configuration, logger: logger)
    let (store, bridge, secret) = (backend.store, backend.bridge, backend.jwtSecret)
    let tokens = await AccessTokenIssuer(secret: secret, lifetime: TimeInterval(configuration.accessTokenMinutes * 60))
    let accounts = AccountService(
        store: store,
        hasher: BcryptPasswordHasher(
            cost: configuration.bcryptCost, concurrency: configuration.bcryptMaxConcurrent, queueLimit: configuration.bcryptMaxQueued
        ),
        refreshTokenLifetime: TimeInterval(configuration.refreshTokenDays * 86_400),
        refreshFamilyLifetime: TimeInterval(configuration.refreshFamilyMaxDays * 86_400),
        publisher: bridge
    )
    let sessions = SessionService(store: store, publisher: bridge, maxSessionsPerUser: configuration.maxSessionsPerUser)
    let participants = ParticipantService(sessions: sessions, store: store, publisher: bridge)
    let teams = TeamService(store: store, publisher: bridge, maxTeamSize: configuration.maxTeamSize)
    let secrets = SecretScreen(policy: configuration.secretPolicy)
    let messages = MessageService(sessions: sessions, store: store, secrets: secrets)
    let insights = InsightService(store: store, sessions: sessions, secrets: secrets)
    let analytics = AnalyticsService(store: store, sessions: sessions)
    let openAPIDocument = try OpenAPIDocument.load()
    let bearer = BearerAuthenticator<AppRequestContext>(tokens: tokens, accounts: accounts)
    let hub = BroadcastHub(
        bridge: bridge, cluster: backend.cluster, sessions: sessions, participants: participants, limits: configuration.realtimeLimits,
        logger: logger)
    let gateway = CollaborationGateway(
        hub: hub, sessions: sessions, messages: messages, participants: participants, authenticator: RealtimeTokenAuthenticator(bearer: bearer)
    )

    // HEAD answers like GET without the body (monitors and caches probe with it).
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ClientAddressMiddleware(proxies: configuration.trustedProxies))
    // Outside the problem middleware, so errors are counted with the status their problem+json answer carries.
    router.add(middleware: MetricsMiddleware())
    if !configuration.corsOrigins.isEmpty {
        addCORSMiddleware(configuration, to: router)
    }
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(routes: OpenAPIRouteIndex(openAPIDocument: openAPIDocument)))
    router.add(middleware: BodyLimitMiddleware(maxBytes: configuration.maxBodyBytes))
    let connects = TokenBuckets(perMinute: configuration.connectsPerMinute)
    router.add(middleware: ConnectRateMiddleware(buckets: connects))
    if let metricsToken = configuration.metricsToken { router.add(middleware: MetricsAccessMiddleware(token: metricsToken)) }
    router.add(middleware: bearer)
    router.add(middleware: RateLimitMiddleware(buckets: TokenBuckets(perMinute: configuration.rateLimitPerMinute)))

    try SystemController(store: store, openAPIDocument: openAPIDocument).addRoutes(to: router)
    try AppPageController().addRoutes(to: router)
    AuthController(accounts: accounts, tokens: tokens, throttle: LoginThrottle(perMinute: configuration.loginAttemptsPerMinute)).addRoutes(
        to: router.group("api/auth"))
    SessionsController(sessions: sessions).addRoutes(to: router.group("api/sessions"))
    ParticipantsController(participants: participants).addRoutes(to: router.group("api/sessions/:session_id/participants"))
    MessagesController(messages: messages).addRoutes(to: router.group("api/sessions/:session_id/messages"))
    SessionStreamController(gateway: gateway).addRoutes(to: router.group("api/sessions/:session_id"))
    HubStatisticsController(hub: hub).addRoutes(to: router)
    MetricsController(registry: metrics, hub: hub).addRoutes(to: router)
    TeamsController(teams: teams, sessions: sessions).addRoutes(to: router.group("api/teams"))
    AnalyticsController(analytics: analytics).addRoutes(to: router.group("api/analytics"))
    InsightsController(insights: insights).addRoutes(to: router.group("api/insights"))

    // Upgrades have their own router: ordinary requests never match against the WebSocket route.
    let webSocketRouter = Router(context: UpgradeRequestContext.self)
    // So the connection's log lines carry the upgrade request's X-Request-ID like every other request's.
    webSocketRouter.add(middleware: RequestIDMiddleware(answersUpgrades: true))
    webSocketRouter.add(middleware: ClientAddressMiddleware(proxies: configuration.trustedProxies))
    webSocketRouter.add(middleware: ConnectRateMiddleware(buckets: connects))
    WebSocketRoute(gateway: gateway).addRoutes(to: webSocketRouter)

    let census = ConnectionGuardHandler.Census(limit: configuration.maxConnections)
    var application = Application(
        router: router,
        server: .guardedLiveSocketUpgrade(
            upgradeRouter: webSocketRouter,
            http1: .init(idleTimeout: .seconds(Int64(configuration.httpIdleTimeoutSeconds))),
            makeGuard: { [census] in
                ConnectionGuardHandler(
                    census: census, idleTimeout: .seconds(Int64(configuration.httpIdleTimeoutSeconds)),
                    headerTimeout: .seconds(Int64(configuration.httpHeaderTimeoutSeconds)),
                    bodyTimeout: .seconds(Int64(configuration.httpBodyTimeoutSeconds))
                )
            }
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "SessionHub"),
        onServerRunning: { channel in
            // With PORT=0 this line is the only way to learn the port; the integration suite reads it.
            logger.notice(
                "SessionHub listening",
                metadata: ["host": .string(configuration.host), "port": .stringConvertible(channel.localAddress?.port ?? -1)]
            )
        },
        logger: logger
    )
    application.addServices(backend.services + [hub])
    return application
}

/// `*` allows any origin; a list echoes the request's origin when it is listed (a header names one origin only).
private func addCORSMiddleware(_ configuration: AppConfiguration, to router: Router<AppRequestContext>) {
    let origins = configuration.corsOrigins
    let cors = CORSMiddleware<AppRequestContext>(
        allowOrigin: origins == ["*"] ? .all : .originBased,
        allowHeaders: [.authorization, .contentType, .requestID, .lastEventID],
        allowMethods: [.get, .post, .patch, .put, .delete, .options],
        allowCredentials: configuration.corsCredentials,
        exposedHeaders: ["X-Request-ID", "Retry-After", "Allow", "Location"],
        maxAge: .seconds(600)
    )
    if origins == ["*"] {
        router.add(middleware: cors)
    } else {
        router.add(middleware: AllowedOriginsMiddleware(origins: Set(origins), cors: cors))
    }
}

func makeLogger(_ configuration: AppConfiguration) -> Logger {
    var logger = Logger(label: "sessionhub") { label in
        switch configuration.logFormat {
        case .json: JSONLogHandler(label: label, logLevel: configuration.logLevel)
        case .text: StreamLogHandler.standardOutput(label: label)
        }
    }
    logger.logLevel = configuration.logLevel
    return logger
}
