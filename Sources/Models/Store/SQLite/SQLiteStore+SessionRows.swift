import Foundation
import GRDB

/// Row mapping and the access-relation columns shared by every session query.
extension SQLiteStore {
    /// The session's columns plus the caller's relation to it; the placeholder stands for the caller's id, three times.
    static func sessionColumns(for user: String) -> String {
        StoreSQL.sessionColumns(for: user, ownerOrder: "rowid")
    }

    static func relation(from row: Row) throws -> SessionRelation {
        SessionRelation(
            isOwner: row["is_owner"],
            participantRole: (row["participant_role"] as String?).flatMap(SessionRole.init(rawValue:)),
            isTeamMember: row["is_team_member"],
            visibility: SessionVisibility(rawValue: row["visibility"]) ?? .private
        )
    }

    static func session(from row: Row) throws -> CodingSession {
        let tagsText: String = row["tags"]
        return CodingSession(
            id: row["id"], ownerID: row["owner_id"] ?? "", pid: row["pid"], type: row["type"],
            status: SessionStatus(rawValue: row["status"]) ?? .active, startTime: row["start_time"], lastActivity: row["last_activity"],
            workingDirectory: row["working_directory"], tokenCount: row["token_count"], tokenLimit: row["token_limit"],
            healthScore: row["health_score"], messageCount: row["message_count"], fileCount: row["file_count"],
            errorCount: row["error_count"], tags: (try? JSONDecoder().decode([String].self, from: Data(tagsText.utf8))) ?? [],
            projectName: row["project_name"], description: row["description"], teamID: row["team_id"],
            visibility: SessionVisibility(rawValue: row["visibility"]) ?? .private, sharedAt: row["shared_at"],
            hostname: row["hostname"], createdAt: row["created_at"], updatedAt: row["updated_at"]
        )
    }

    /// The stored columns from `id` to `hostname`, in the order of the INSERT and UPDATE statements.
    static func columns(of session: CodingSession) -> [(any DatabaseValueConvertible)?] {
        let tags = String(decoding: (try? JSONEncoder().encode(session.tags)) ?? Data("[]".utf8), as: UTF8.self)
        return [
            session.id, session.pid, session.type, session.status.rawValue, session.startTime, session.lastActivity,
            session.workingDirectory, session.tokenCount, session.tokenLimit, session.healthScore, session.messageCount,
            session.fileCount, session.errorCount, tags, session.projectName, session.description, session.teamID,
            session.visibility.rawValue, session.sharedAt, session.hostname,
        ]
    }
}

/// A session listing as SQL. Each way a caller may see a session (owner, participant, public, team) is its own branch
/// that walks its own index to the best `limit` rows after the cursor; the page is the best `limit` of their union.
/// That is the same set as filtering by "any of the ways", but a page reads O(limit) rows per branch instead of
/// sorting every session the caller can see (every public session, for a start).
struct SessionListSQL {
    private let userID: String
    private let query: SessionQuery
    /// The query's filters and the page position, applied in every branch.
    private var clauses: [String] = []
    private var arguments = StatementArguments()

    /// The ways to see a session, and whether the clause takes the caller's id.
    private static let reaches: [(clause: String, takesUser: Bool)] = [
        ("s.id IN (SELECT session_id FROM session_owners WHERE user_id = ?)", true),
        ("s.id IN (SELECT session_id FROM session_participants WHERE user_id = ?)", true),
        ("s.visibility = 'public'", false),
        ("s.visibility = 'team' AND s.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?)", true),
    ]

    init(userID: String, query: SessionQuery, cursor: PageCursor?) {
        self.userID = userID
        self.query = query
        if let status = query.status { self.add("s.status = ?", status.rawValue) }
        if let type = query.type { self.add("s.type = ?", type) }
        if let teamID = query.teamID { self.add("s.team_id = ?", teamID) }
        if let visibility = query.visibility { self.add("s.visibility = ?", visibility.rawValue) }
        if let tag = query.tag { self.add("EXISTS (SELECT 1 FROM json_each(s.tags) WHERE value = ?)", tag) }
        if query.ownedByCaller { self.add("s.id IN (SELECT session_id FROM session_owners WHERE user_id = ?)", userID) }
        if let text = query.text {
            let pattern = StoreText.likePattern(text)
            self.clauses.append("(s.project_name LIKE ? ESCAPE '\\' OR s.description LIKE ? ESCAPE '\\')")
            self.arguments += [pattern, pattern]
        }
        // Rows strictly after the cursor in the listing's order: (sort key, id) past the last one served.
        if let cursor {
            self.clauses.append("(s.\(query.sort.rawValue), s.id) \(query.descending ? "<" : ">") (?, ?)")
            self.arguments += [cursor.key, cursor.id]
        }
    }

    /// Up to `limit` rows with `columns` (whose three placeholders take the caller's id) and the sort key.
    func page(columns: String, limit: Int) -> (sql: String, arguments: StatementArguments) {
        let order = self.query.descending ? "DESC" : "ASC"
        let orderBy = "s.\(self.query.sort.rawValue) \(order), s.id \(order)"
        var arguments: StatementArguments = [self.userID, self.userID, self.userID]
        let branches = Self.reaches.map { reach in
            if reach.takesUser { arguments += [self.userID] }
            arguments += self.arguments
            arguments += [limit]
            let conditions = ([reach.clause] + self.clauses).joined(separator: " AND ")
            return "SELECT id FROM (SELECT s.id FROM sessions s WHERE \(conditions) ORDER BY \(orderBy) LIMIT ?)"
        }
        arguments += [limit]
        let sql = """
            SELECT \(columns), s.\(self.query.sort.rawValue) AS sort_key FROM sessions s
            WHERE s.id IN (\(branches.joined(separator: " UNION ALL ")))
            ORDER BY \(orderBy) LIMIT ?
            """
        return (sql, arguments)
    }

    private mutating func add(_ clause: String, _ value: String) {
        self.clauses.append(clause)
        self.arguments += [value]
    }
}
