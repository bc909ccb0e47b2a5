import Foundation
import Testing

@Suite("Starting, refusing to start, and stopping the sessionhub process")
struct ProcessLifecycleTests {
    /// The key kept in the data folder, so SQLite's (a cluster keeps it in PostgreSQL: `ClusterTests`).
    @Test func tokensAndDataSurviveARestartWithAGeneratedSecret() async throws {
        let first = try await ServerProcess(environment: ["DATABASE_URL": "sqlite:///./data/sessionhub.sqlite"])
        let account = try await first.client.registerAndLogin()
        #expect(first.log.contains("generated a key"))
        #expect(await first.stop() == 0, "SIGTERM should end the server cleanly")
        let secretFile = first.folder.appendingPathComponent("data/jwt-secret")
        let attributes = try FileManager.default.attributesOfItem(atPath: secretFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        try await withServer(environment: ["DATABASE_URL": "sqlite:///./data/sessionhub.sqlite"], folder: first.folder) { second, client in
            let me = try await client.get("/api/auth/me", headers: account.bearer)
            #expect(me.status == 200)
            #expect(me.json?["username"] as? String == account.username)
            #expect(second.log.contains("using the key generated earlier"))
        }
    }

    /// Linking jemalloc is not enough if another `malloc` is found first; the server checks, and says so.
    @Test func theServerAllocatesWithJemallocAndPurgesInTheBackground() async throws {
        try await withServer { server, _ in
            #expect(!server.log.contains("malloc is not jemalloc's"), "\(server.log)")
            #expect(!server.log.contains("background purging is off"), "\(server.log)")
        }
    }

    @Test func aDotEnvFileConfiguresTheServerAndSIGINTStopsIt() async throws {
        let folder = try ServerProcess.makeFolder()
        // The environment wins over the file: its LOG_FORMAT would stop the start.
        try "MAX_SESSIONS_PER_USER=1\nLOG_FORMAT=xml\n".write(to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let server = try await ServerProcess(folder: folder)
        let owner = try await server.client.registerAndLogin()
        _ = try await server.client.createSession(as: owner)
        let second = try await server.client.post("/api/sessions", json: ["type": "claude_code"], headers: owner.bearer)
        #expect(second.status == 409, "MAX_SESSIONS_PER_USER from .env was not applied: \(second.status)")
        server.process.interrupt()
        // Nothing else is sent: the server must end of SIGINT alone (stop() would follow up with SIGTERM).
        #expect(await ServerProcess.waitForExit(of: server.process, within: ServerProcess.shutdownDeadline), "SIGINT did not stop the server")
        #expect(await server.stop() == 0, "SIGINT should end the server cleanly")
    }

    @Test func refusesUnsafeConfiguration() async throws {
        let refused: [[String: String]] = [
            ["JWT_SECRET_KEY": "too-short"],
            ["BCRYPT_COST": "3"],
            ["BCRYPT_COST": "32"],
            ["PORT": "eighty"],
            ["DATABASE_URL": "mysql://localhost/db"],
            ["LOG_FORMAT": "xml"],
        ]
        for environment in refused {
            let (status, output) = try await ServerProcess.run(arguments: [], environment: ServerProcess.baseEnvironment.merging(environment) { $1 })
            #expect(status != 0, "\(environment) started")
            let name = try #require(environment.keys.first)
            #expect(output.contains(name), "\(environment): \(output)")
        }
    }

    /// A binary copied without the folder the build puts beside it (the contract, the page) says what is missing
    /// instead of crashing.
    @Test func aBinaryWithoutItsResourcesSaysSo() async throws {
        let alone = try ServerProcess.makeFolder().appendingPathComponent("sessionhub")
        try FileManager.default.copyItem(at: ServerProcess.binary, to: alone)
        let (status, output) = try await ServerProcess.run(alone, arguments: [], environment: ServerProcess.baseEnvironment)
        #expect(status != 0, "\(output)")
        #expect(output.contains("sessionhub_HTTPKernel.resources is missing"), "\(output)")
    }

    @Test func helpListsEveryVariable() async throws {
        let (status, output) = try await ServerProcess.run(arguments: ["--help"], environment: [:])
        #expect(status == 0)
        let example = try String(contentsOf: HTTPFoundationTests.repositoryRoot.appendingPathComponent(".env.example"), encoding: .utf8)
        let names = example.split(separator: "\n").compactMap { line -> String? in
            let text = line.hasPrefix("# ") ? line.dropFirst(2) : line
            guard let equals = text.firstIndex(of: "="), text[..<equals].allSatisfy({ $0.isUppercase || $0 == "_" }) else { return nil }
            return String(text[..<equals])
        }
        #expect(names.count >= 20)
        for name in names { #expect(output.contains(name), "--help misses \(name)") }
    }
}
