import Foundation

/// The store behind the test servers: SQLite by default; with `SESSIONHUB_TEST_STORE=postgres`, the throwaway PostgreSQL
/// of `scripts/with-postgres` (`TEST_DATABASE_URL`), so that the same suites check both backends. Each server gets a
/// schema of its own, named after its folder, so tests stay apart and a restarted server finds its data again.
enum TestStore {
    static var isPostgres: Bool { ProcessInfo.processInfo.environment["SESSIONHUB_TEST_STORE"] == "postgres" }

    /// The variables that point a server with data in `folder` (or an in-process app, with no folder) at the store.
    static func environment(key: String) -> [String: String] {
        guard self.isPostgres else { return [:] }
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else {
            fatalError("SESSIONHUB_TEST_STORE=postgres needs TEST_DATABASE_URL: run the tests under scripts/with-postgres")
        }
        let schema = "test_" + key.lowercased().filter { $0.isLetter || $0.isNumber }
        return ["DATABASE_URL": url, "DATABASE_SCHEMA": schema]
    }
}
