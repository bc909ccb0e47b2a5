import Foundation
import GRDB

/// The migrations of the SQLite backend. Version 1 is the whole schema of DESIGN.md, with the
/// indexes its list, filter and replay queries need, so later features add behaviour, not tables.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-accounts-and-teams") { db in
            try db.execute(sql: self.accountsAndTeams)
        }
        migrator.registerMigration("v1-sessions") { db in
            try db.execute(sql: self.sessions)
        }
        migrator.registerMigration("v1-collaboration") { db in
            try db.execute(sql: self.collaboration)
        }
        // Logins purge expired refresh tokens; without it that is a scan of every token ever issued.
        migrator.registerMigration("v2-refresh-token-expiry") { db in
            try db.execute(sql: "CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at)")
        }
        // Direct messages private to their two users in the log, and each message's logged copies findable, so that
        // edits and deletions reach them; existing logs are brought in line (a deleted text leaves every copy).
        migrator.registerMigration("v3-private-and-redactable-events") { db in
            try db.execute(sql: self.eventAudienceAndMessage)
            // The columns as they are at this version, read here rather than through today's reader: a later migration
            // may add columns that reader expects and this database does not have yet.
            let changed = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, session_id, user_id, message_type, content, mentions, code_snippet, edited_at, deleted_at
                    FROM session_messages
                    WHERE edited_at IS NOT NULL OR deleted_at IS NOT NULL
                    """
            )
            for row in changed {
                let deletedAt: Date? = row["deleted_at"]
                let message = SessionMessage(
                    id: row["id"], sessionID: row["session_id"], userID: row["user_id"], username: nil,
                    type: MessageType(rawValue: row["message_type"]) ?? .chat, content: deletedAt == nil ? row["content"] : nil,
                    mentions: StoreText.decodeStrings(row["mentions"]), file: nil, line: nil,
                    codeSnippet: deletedAt == nil ? row["code_snippet"] : nil, parentID: nil, toUserID: nil,
                    createdAt: Date(), editedAt: row["edited_at"], deletedAt: deletedAt, reactions: []
                )
                try SQLiteStore.rewriteLoggedText(of: message, in: db)
            }
        }
        // Tokens issued under an earlier password are refused; a login lasts REFRESH_FAMILY_MAX_DAYS at most.
        migrator.registerMigration("v4-credential-lifetimes") { db in
            try db.execute(
                sql: """
                    ALTER TABLE users ADD COLUMN credentials_generation INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE refresh_tokens ADD COLUMN family_started_at DATETIME;
                    ALTER TABLE refresh_tokens ADD COLUMN credentials_generation INTEGER NOT NULL DEFAULT 0;
                    UPDATE refresh_tokens SET family_started_at = (
                        SELECT MIN(created_at) FROM refresh_tokens AS family WHERE family.family_id = refresh_tokens.family_id
                    );
                    """
            )
        }
        return migrator
    }

    private static let eventAudienceAndMessage = """
        ALTER TABLE session_events ADD COLUMN recipient_id TEXT;
        ALTER TABLE session_events ADD COLUMN message_id TEXT;
        UPDATE session_events SET recipient_id = json_extract(payload, '$.message.to_user_id') WHERE type = 'direct_message';
        UPDATE session_events SET message_id = json_extract(payload, '$.message.id')
            WHERE type IN ('chat_message', 'direct_message', 'message_updated');
        UPDATE session_events SET message_id = json_extract(payload, '$.comment.id') WHERE type = 'code_comment';
        CREATE INDEX session_events_message ON session_events(message_id) WHERE message_id IS NOT NULL;
        """

    private static let accountsAndTeams = """
        CREATE TABLE users (
            id TEXT PRIMARY KEY NOT NULL,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            full_name TEXT,
            preferences TEXT NOT NULL DEFAULT '{}',
            is_active INTEGER NOT NULL DEFAULT 1,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL
        );
        CREATE TABLE refresh_tokens (
            token_hash TEXT PRIMARY KEY NOT NULL,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            family_id TEXT NOT NULL,
            created_at DATETIME NOT NULL,
            expires_at DATETIME NOT NULL,
            used_at DATETIME,
            revoked_at DATETIME
        );
        CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
        CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);
        CREATE TABLE teams (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT,
            created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL
        );
        CREATE TABLE team_members (
            team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
            joined_at DATETIME NOT NULL,
            PRIMARY KEY (team_id, user_id)
        );
        CREATE INDEX team_members_user ON team_members(user_id);
        """

    private static let sessions = """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY NOT NULL,
            pid INTEGER,
            type TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time DATETIME NOT NULL,
            last_activity DATETIME NOT NULL,
            working_directory TEXT,
            token_count INTEGER NOT NULL DEFAULT 0,
            token_limit INTEGER,
            health_score REAL,
            message_count INTEGER NOT NULL DEFAULT 0,
            file_count INTEGER NOT NULL DEFAULT 0,
            error_count INTEGER NOT NULL DEFAULT 0,
            tags TEXT NOT NULL DEFAULT '[]',
            project_name TEXT,
            description TEXT,
            team_id TEXT REFERENCES teams(id) ON DELETE SET NULL,
            visibility TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'team', 'public')),
            shared_at DATETIME,
            hostname TEXT,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL
        );
        CREATE INDEX sessions_team ON sessions(team_id, last_activity);
        CREATE INDEX sessions_status ON sessions(status, last_activity);
        CREATE INDEX sessions_visibility ON sessions(visibility, last_activity);
        CREATE TABLE session_owners (
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            PRIMARY KEY (session_id, user_id)
        );
        CREATE INDEX session_owners_user ON session_owners(user_id);
        CREATE TABLE session_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            recorded_at DATETIME NOT NULL,
            status TEXT NOT NULL,
            token_count INTEGER NOT NULL,
            health_score REAL,
            message_count INTEGER NOT NULL,
            file_count INTEGER NOT NULL,
            error_count INTEGER NOT NULL
        );
        CREATE INDEX session_history_session ON session_history(session_id, recorded_at);
        CREATE INDEX session_history_time ON session_history(recorded_at);
        CREATE TABLE team_metrics (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            recorded_at DATETIME NOT NULL,
            total_sessions INTEGER NOT NULL,
            active_sessions INTEGER NOT NULL,
            total_tokens INTEGER NOT NULL,
            average_health REAL,
            total_errors INTEGER NOT NULL,
            details TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX team_metrics_team ON team_metrics(team_id, recorded_at);
        CREATE TABLE shared_insights (
            id TEXT PRIMARY KEY NOT NULL,
            author_id TEXT REFERENCES users(id) ON DELETE SET NULL,
            team_id TEXT REFERENCES teams(id) ON DELETE CASCADE,
            session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
            insight_type TEXT NOT NULL CHECK (insight_type IN ('learning', 'pattern', 'recommendation')),
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            views INTEGER NOT NULL DEFAULT 0,
            upvotes INTEGER NOT NULL DEFAULT 0,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL
        );
        CREATE INDEX shared_insights_team ON shared_insights(team_id, created_at);
        CREATE INDEX shared_insights_top ON shared_insights(upvotes, created_at);
        CREATE INDEX shared_insights_session ON shared_insights(session_id);
        CREATE TABLE insight_votes (
            insight_id TEXT NOT NULL REFERENCES shared_insights(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at DATETIME NOT NULL,
            PRIMARY KEY (insight_id, user_id)
        );
        """

    private static let collaboration = """
        CREATE TABLE session_participants (
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('host', 'editor', 'viewer')),
            invited_by TEXT REFERENCES users(id) ON DELETE SET NULL,
            joined_at DATETIME NOT NULL,
            left_at DATETIME,
            last_seen DATETIME,
            is_active INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (session_id, user_id)
        );
        CREATE INDEX session_participants_user ON session_participants(user_id);
        CREATE TABLE session_messages (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
            message_type TEXT NOT NULL CHECK (message_type IN ('chat', 'comment', 'system', 'direct')),
            content TEXT NOT NULL,
            mentions TEXT NOT NULL DEFAULT '[]',
            file_path TEXT,
            line_number INTEGER,
            code_snippet TEXT,
            parent_id TEXT REFERENCES session_messages(id) ON DELETE SET NULL,
            to_user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
            created_at DATETIME NOT NULL,
            edited_at DATETIME,
            deleted_at DATETIME
        );
        CREATE INDEX session_messages_session ON session_messages(session_id, seq);
        CREATE INDEX session_messages_thread ON session_messages(parent_id, seq);
        CREATE INDEX session_messages_file ON session_messages(session_id, file_path, line_number);
        CREATE TABLE message_reactions (
            message_id TEXT NOT NULL REFERENCES session_messages(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            emoji TEXT NOT NULL,
            created_at DATETIME NOT NULL,
            PRIMARY KEY (message_id, user_id, emoji)
        );
        CREATE TABLE session_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
            payload TEXT NOT NULL,
            created_at DATETIME NOT NULL
        );
        CREATE INDEX session_events_replay ON session_events(session_id, id);
        CREATE INDEX session_events_type ON session_events(session_id, type, id);
        """
}
