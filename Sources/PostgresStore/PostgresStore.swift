import Foundation
import Logging
import Models
import NIOSSL
import PostgresNIO

/// The PostgreSQL backend: reads on a pooled `PostgresClient`, writes through one `PostgresWriter` per node.
///
/// Event ids come from a counter row locked by the transaction that appends the event (see `append`), so they are
/// gap-free and become visible in id order across writers and nodes.
public final class PostgresStore: Store {
    /// Also the cluster's (`PostgresCluster`): its bus and presence use this pool.
    package let client: PostgresClient
    let writer: PostgresWriter
    package let logger: Logger
    /// The client's connection pool lives as long as this task; the store ends it when it goes.
    private let running: Task<Void, Never>

    private init(client: PostgresClient, publisher: any EventPublisher, logger: Logger) {
        self.client = client
        self.logger = logger
        // Immediate: the client must be running before the migrations lease a connection, or it warns.
        self.running = Task.immediate { await client.run() }
        self.writer = PostgresWriter(client: client, publisher: publisher, logger: logger)
    }

    deinit {
        self.writer.finish()
        self.running.cancel()
    }

    /// Connects to `url` (postgres://user:password@host:port/database) with at most `poolSize` connections and migrates the
    /// database; with `schema` (letters, digits and underscores), in that schema, created if missing, as every connection's
    /// search path.
    public static func connect(
        url: String, poolSize: Int, schema: String? = nil, publisher: any EventPublisher = DiscardingPublisher(),
        logger: Logger = Logger(label: "sessionhub.postgres")
    ) async throws -> PostgresStore {
        if let schema, schema.isEmpty || !schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw DomainError.invalid("schema", "must be letters, digits and underscores")
        }
        var configuration = try PostgresURL.configuration(url)
        configuration.options.maximumConnections = max(1, poolSize)
        // The name says whose connections these are in pg_stat_activity (and, with a schema, which deployment's).
        configuration.options.additionalStartupParameters = [
            ("application_name", "sessionhub" + (schema.map { ":\($0)" } ?? "")),
            // Acknowledged means on disk, whatever default the database was given.
            ("synchronous_commit", "on"),
        ]
        if let schema { configuration.options.additionalStartupParameters.append(("search_path", schema)) }
        let store = PostgresStore(
            client: PostgresClient(configuration: configuration, backgroundLogger: logger), publisher: publisher, logger: logger)
        try await PostgresSchema.migrate(client: store.client, schema: schema, logger: logger)
        return store
    }

    /// The value every node reads for `name`: the first node to ask stores `proposal`, the others get what it stored.
    public func sharedSetting(_ name: String, proposal: String) async throws -> String {
        try await self.write { transaction in
            try await transaction.execute("INSERT INTO cluster_settings (name, value) VALUES (\(name), \(proposal)) ON CONFLICT (name) DO NOTHING")
            guard let row = try await transaction.row("SELECT value FROM cluster_settings WHERE name = \(name)") else {
                throw PostgresRowError(message: "cluster setting \(name) vanished")
            }
            return try row.get("value", as: String.self)
        }
    }

    public func checkReachable() async throws {
        _ = try await self.rows("SELECT 1")
    }

    /// Every row of a read, on any pooled connection.
    package func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        do {
            return try await self.client.withOpenConnection { connection in
                try await connection.query(query, logger: self.logger).collect().map { $0.makeRandomAccess() }
            }
        } catch {
            throw PostgresFailure.domainError(for: error)
        }
    }

    /// A statement whose rows nobody needs. They are read all the same: a pooled connection returns to the pool only
    /// once its rows were consumed.
    package func execute(_ query: PostgresQuery) async throws {
        _ = try await self.rows(query)
    }

    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await self.rows(query).first
    }

    /// Runs `body` in a transaction on this node's writer; its events are published once it has committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws -> T {
        try await self.writer.write(body)
    }
}

/// What PostgreSQL's failures mean to a client, as `StoreFailure` says for SQLite: a database that cannot take the write
/// now is a 503 to retry, and a reference to a row deleted meanwhile is `referenceDeleted`.
enum PostgresFailure {
    static let retryAfterSeconds = 5

    static func sqlState(of error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func constraint(of error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.constraintName]
    }

    static func domainError(for error: any Error) -> any Error {
        if let unknown = error as? CommitOutcomeUnknown { return unknown.answer }
        guard error is PSQLError else { return error }
        switch self.sqlState(of: error) {
        case "23503": return DomainError.referenceDeleted
        // NUL in text (refused earlier in request bodies and messages; this catches a query parameter).
        case "22021": return DomainError.invalid("text", "must not contain the NUL character")
        // Serialization failures, deadlocks, lack of resources, an administrator's shutdown.
        case .some(let state) where state.hasPrefix("40") || state.hasPrefix("53") || state.hasPrefix("57"):
            return DomainError.storeUnavailable(retryAfterSeconds: self.retryAfterSeconds)
        case .some: return error
        // No answer from the server at all: the connection failed or closed.
        case .none: return DomainError.storeUnavailable(retryAfterSeconds: self.retryAfterSeconds)
        }
    }
}

/// A stored row this version cannot read.
struct PostgresRowError: Error {
    let message: String
}

/// postgres://user:password@host:port/database[?sslmode=...] as a client configuration. `sslmode` means what it means
/// to libpq: `disable`, `prefer` (the default: TLS when the server offers it), `require` (TLS, any certificate), and
/// `verify-ca`/`verify-full` (TLS with a certificate the system trusts, for this host).
enum PostgresURL {
    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, let user = components.user
        else { throw DomainError.invalid("DATABASE_URL", "is not a postgres://user:password@host:port/database URL") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        return PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.isEmpty ? nil : database, tls: try self.tls(sslmode: mode)
        )
    }

    static func tls(sslmode: String) throws -> PostgresClient.Configuration.TLS {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch sslmode {
        case "disable": return .disable
        case "allow", "prefer": return .prefer(unverified)
        case "require": return .require(unverified)
        case "verify-ca":
            var trusted = TLSConfiguration.makeClientConfiguration()
            trusted.certificateVerification = .noHostnameVerification
            return .require(trusted)
        case "verify-full": return .require(.makeClientConfiguration())
        default: throw DomainError.invalid("DATABASE_URL", "sslmode must be disable, allow, prefer, require, verify-ca or verify-full")
        }
    }
}

extension PostgresRandomAccessRow {
    /// The column decoded as the type the caller expects, as GRDB's `row["name"]` reads.
    func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }

    /// Times are kept to the millisecond, as the wire shows them and SQLite keeps them: the microseconds PostgreSQL
    /// stores (cut, not rounded, by the encoder) are rounded to the nearest millisecond, which gives back a time that was
    /// on the millisecond exactly as it was.
    func date(_ column: String) throws -> Date {
        Self.millisecond(try self[column].decode(Date.self))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try self[column].decode(Date?.self).map(Self.millisecond)
    }

    private static func millisecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}

/// A statement assembled from parts, each value bound as the next `$n`. A class, so that `sql.query("... \(sql.bind(x))")`
/// sees the values bound while its argument was built.
final class SQLBuilder {
    private var binds = PostgresBindings()

    func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        self.binds.append(value)
        return "$\(self.binds.count)"
    }

    func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        self.binds.append(value)
        return "$\(self.binds.count)"
    }

    func query(_ sql: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: self.binds)
    }
}
