/// Where the store lives, parsed from DATABASE_URL.
enum DatabaseLocation: Equatable, Sendable {
    case sqliteFile(path: String)
    case sqliteMemory
    case postgres(url: String)

    init(url: String) throws(ConfigurationError) {
        if url == "sqlite::memory:" || url == "sqlite://:memory:" {
            self = .sqliteMemory
        } else if url.hasPrefix("sqlite:///") {
            // sqlite:///./data/x.sqlite is relative, sqlite:////var/x.sqlite absolute (the SQLAlchemy convention).
            let path = String(url.dropFirst("sqlite:///".count))
            guard !path.isEmpty else { throw ConfigurationError("DATABASE_URL '\(url)' names no file") }
            self = .sqliteFile(path: path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
        } else {
            throw ConfigurationError("DATABASE_URL must be sqlite:///<path>, sqlite::memory: or postgres://..., got '\(url)'")
        }
    }

    /// The folder that holds the database file, where a generated JWT secret is kept too.
    var dataFolder: String? {
        guard case .sqliteFile(let path) = self else { return nil }
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return folder.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : folder
    }
}
