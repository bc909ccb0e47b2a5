import Foundation
import Logging
import PostgresNIO

/// Versioned migrations, recorded in `schema_migrations` and applied at start under a session advisory lock, so nodes
/// that start together apply each once. Version 1 is today's SQLite schema in PostgreSQL's types: case-insensitive
/// names through unique indexes on lower(), a counter row for event ids instead of AUTOINCREMENT, and identity columns
/// where SQLite ordered by rowid.
enum PostgresSchema {
    static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "schema", schema),
        (2, "cluster", cluster),
    ]

    /// `schema` is a validated identifier (see `PostgresStore.connect`); nil means the server's default search path.
    static func migrate(client: PostgresClient, schema: String?, logger: Logger) async throws {
        try await client.withOpenConnection { connection in
            // Keyed by schema, so per-schema deployments (and tests) do not wait for each other. A session lock: it outlives
            // the transactions of the migrations, and the server drops it if this node dies holding it.
            let key = "sessionhub-migrations:\(schema ?? "")"
            try await connection.query("SELECT pg_advisory_lock(hashtext(\(key)))", logger: logger)
            do {
                if let schema {
                    try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger)
                }
                try await self.apply(on: connection, logger: logger)
            } catch {
                try await connection.query("SELECT pg_advisory_unlock_all()", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock_all()", logger: logger)
        }
    }

    private static func apply(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """,
            logger: logger
        )
        let applied = try await connection.query("SELECT version FROM schema_migrations", logger: logger).collect()
            .map { try $0.makeRandomAccess()["version"].decode(Int.self) }
        for migration in self.migrations where !applied.contains(migration.version) {
            try await connection.withTransaction(logger: logger) { connection in
                // One statement at a time: the extended protocol takes no more.
                for statement in migration.sql.components(separatedBy: ";\n") where !statement.allSatisfy(\.isWhitespace) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
            }
        }
    }

    private static let schema = """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            username TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            full_name TEXT,
            preferences TEXT NOT NULL DEFAULT '{}',
            is_active BOOLEAN NOT NULL DEFAULT TRUE,
            credentials_generation BIGINT NOT NULL DEFAULT 0,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        );
        CREATE UNIQUE INDEX users_email ON users (lower(email));
        CREATE UNIQUE INDEX users_username ON users (lower(username));
        CREATE TABLE refresh_tokens (
            token_hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            family_id TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL,
            used_at TIMESTAMPTZ,
            revoked_at TIMESTAMPTZ,
            family_started_at TIMESTAMPTZ NOT NULL,
            credentials_generation BIGINT NOT NULL DEFAULT 0
        );
        CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
        CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);
        CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at);
        CREATE TABLE teams (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT,
            created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        );
        CREATE UNIQUE INDEX teams_name ON teams (lower(name));
        CREATE TABLE team_members (
            team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
            joined_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (team_id, user_id)
        );
        CREATE INDEX team_members_user ON team_members(user_id);
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            pid BIGINT,
            type TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time TIMESTAMPTZ NOT NULL,
            last_activity TIMESTAMPTZ NOT NULL,
            working_directory TEXT,
            token_count BIGINT NOT NULL DEFAULT 0,
            token_limit BIGINT,
            health_score DOUBLE PRECISION,
            message_count BIGINT NOT NULL DEFAULT 0,
            file_count BIGINT NOT NULL DEFAULT 0,
            error_count BIGINT NOT NULL DEFAULT 0,
            tags TEXT NOT NULL DEFAULT '[]',
            project_name TEXT,
            description TEXT,
            team_id TEXT REFERENCES teams(id) ON DELETE SET NULL,
            visibility TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'team', 'public')),
            shared_at TIMESTAMPTZ,
            hostname TEXT,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX sessions_team ON sessions(team_id, last_activity);
        CREATE INDEX sessions_status ON sessions(status, last_activity);
        CREATE INDEX sessions_visibility ON sessions(visibility, last_activity);
        CREATE TABLE session_owners (
            position BIGINT GENERATED ALWAYS AS IDENTITY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            PRIMARY KEY (session_id, user_id)
        );
        CREATE INDEX session_owners_user ON session_owners(user_id);
        CREATE TABLE session_history (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            recorded_at TIMESTAMPTZ NOT NULL,
            status TEXT NOT NULL,
            token_count BIGINT NOT NULL,
            health_score DOUBLE PRECISION,
            message_count BIGINT NOT NULL,
            file_count BIGINT NOT NULL,
            error_count BIGINT NOT NULL
        );
        CREATE INDEX session_history_session ON session_history(session_id, recorded_at);
        CREATE INDEX session_history_time ON session_history(recorded_at);
        CREATE TABLE team_metrics (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            recorded_at TIMESTAMPTZ NOT NULL,
            total_sessions BIGINT NOT NULL,
            active_sessions BIGINT NOT NULL,
            total_tokens BIGINT NOT NULL,
            average_health DOUBLE PRECISION,
            total_errors BIGINT NOT NULL,
            details TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX team_metrics_team ON team_metrics(team_id, recorded_at);
        CREATE TABLE shared_insights (
            id TEXT PRIMARY KEY,
            author_id TEXT REFERENCES users(id) ON DELETE SET NULL,
            team_id TEXT REFERENCES teams(id) ON DELETE CASCADE,
            session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
            insight_type TEXT NOT NULL CHECK (insight_type IN ('learning', 'pattern', 'recommendation')),
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            views BIGINT NOT NULL DEFAULT 0,
            upvotes BIGINT NOT NULL DEFAULT 0,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX shared_insights_team ON shared_insights(team_id, created_at);
        CREATE INDEX shared_insights_top ON shared_insights(upvotes, created_at);
        CREATE INDEX shared_insights_session ON shared_insights(session_id);
        CREATE TABLE insight_votes (
            insight_id TEXT NOT NULL REFERENCES shared_insights(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (insight_id, user_id)
        );
        CREATE TABLE session_participants (
            position BIGINT GENERATED ALWAYS AS IDENTITY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('host', 'editor', 'viewer')),
            invited_by TEXT REFERENCES users(id) ON DELETE SET NULL,
            joined_at TIMESTAMPTZ NOT NULL,
            left_at TIMESTAMPTZ,
            last_seen TIMESTAMPTZ,
            is_active BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (session_id, user_id)
        );
        CREATE INDEX session_participants_user ON session_participants(user_id);
        CREATE TABLE session_messages (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
            message_type TEXT NOT NULL CHECK (message_type IN ('chat', 'comment', 'system', 'direct')),
            content TEXT NOT NULL,
            mentions TEXT NOT NULL DEFAULT '[]',
            file_path TEXT,
            line_number BIGINT,
            code_snippet TEXT,
            parent_id TEXT REFERENCES session_messages(id) ON DELETE SET NULL,
            to_user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
            created_at TIMESTAMPTZ NOT NULL,
            edited_at TIMESTAMPTZ,
            deleted_at TIMESTAMPTZ
        );
        CREATE INDEX session_messages_session ON session_messages(session_id, seq);
        CREATE INDEX session_messages_thread ON session_messages(parent_id, seq);
        CREATE INDEX session_messages_file ON session_messages(session_id, file_path, line_number);
        CREATE TABLE message_reactions (
            message_id TEXT NOT NULL REFERENCES session_messages(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            emoji TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (message_id, user_id, emoji)
        );
        -- One row: the last event id handed out. Appending an event takes its lock until commit, so ids are gap-free and
        -- commit in id order (a sequence hands out ids that may commit out of order, or never).
        CREATE TABLE event_counter (
            only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
            last_id BIGINT NOT NULL
        );
        INSERT INTO event_counter (last_id) VALUES (0);
        CREATE TABLE session_events (
            id BIGINT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
            recipient_id TEXT,
            message_id TEXT,
            payload TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX session_events_replay ON session_events(session_id, id);
        CREATE INDEX session_events_type ON session_events(session_id, type, id);
        CREATE INDEX session_events_message ON session_events(message_id) WHERE message_id IS NOT NULL;
        """

    /// What the nodes of a cluster share besides the data: settings every node must agree on (the generated JWT key),
    /// the nodes alive (by heartbeat), and who each node has present in which session.
    private static let cluster = """
        CREATE TABLE cluster_settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE cluster_nodes (
            id TEXT PRIMARY KEY,
            started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE cluster_presence (
            session_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            node_id TEXT NOT NULL REFERENCES cluster_nodes(id) ON DELETE CASCADE,
            entry TEXT NOT NULL,
            PRIMARY KEY (session_id, user_id, node_id)
        );
        CREATE INDEX cluster_presence_node ON cluster_presence(node_id);
        """
}
