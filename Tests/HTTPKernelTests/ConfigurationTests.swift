import Configuration
import Foundation
import Testing

@testable import HTTPKernel

@Suite("Configuration")
struct ConfigurationTests {
    private func configuration(_ values: [String: String]) throws(ConfigurationError) -> AppConfiguration {
        let provider = InMemoryProvider(
            values: Dictionary(
                uniqueKeysWithValues: values.map { (AbsoluteConfigKey([$0.key.lowercased()]), ConfigValue(.string($0.value), isSecret: false)) }))
        return try AppConfiguration(reader: ConfigReader(provider: provider))
    }

    @Test func defaultsNeedNoConfiguration() throws {
        let configuration = try self.configuration([:])
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 8000)
        #expect(configuration.database == .sqliteFile(path: "./data/sessionhub.sqlite"))
        #expect(configuration.database.dataFolder == "./data")
        #expect(configuration.jwtSecret == nil)
        #expect(configuration.bcryptCost == 12)
        #expect(configuration.maxBodyBytes == 1_048_576)
        #expect(configuration.logFormat == .json)
        #expect(configuration.corsOrigins.isEmpty)
    }

    @Test func readsTheSeedNames() throws {
        let configuration = try self.configuration([
            "PORT": "0", "DATABASE_URL": "sqlite::memory:", "CORS_ORIGINS": "https://a.example, https://b.example",
            "CORS_CREDENTIALS": "true", "BCRYPT_COST": "4", "JWT_SECRET_KEY": String(repeating: "s", count: 32),
        ])
        #expect(configuration.port == 0)
        #expect(configuration.database == .sqliteMemory)
        #expect(configuration.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(configuration.corsCredentials)
        #expect(configuration.bcryptCost == 4)
    }

    @Test(arguments: [
        ["JWT_SECRET_KEY": "short"], ["BCRYPT_COST": "3"], ["BCRYPT_COST": "32"], ["PORT": "70000"], ["PORT": "x"],
        ["DATABASE_URL": "mysql://x"], ["JWT_ALGORITHM": "RS256"],
        ["LOG_LEVEL": "loud"], ["CORS_CREDENTIALS": "maybe"], ["DATABASE_SCHEMA": "a;drop"], ["PRESENCE_NODE_TIMEOUT_SECONDS": "1"],
        ["DATABASE_POOL_SIZE": "1"],
    ])
    func refusesUnsafeOrUnparseableValues(_ values: [String: String]) throws {
        let error = #expect(throws: ConfigurationError.self) { try self.configuration(values) }
        #expect(error?.description.contains(try #require(values.keys.first)) == true)
    }

    @Test func databaseURLForms() throws {
        #expect(try DatabaseLocation(url: "sqlite:////var/lib/sessionhub.sqlite") == .sqliteFile(path: "/var/lib/sessionhub.sqlite"))
        #expect(try DatabaseLocation(url: "sqlite:////var/lib/sessionhub.sqlite").dataFolder == "/var/lib")
        #expect(try DatabaseLocation(url: "sqlite:///hub.sqlite").dataFolder == ".")
        #expect(try DatabaseLocation(url: "postgresql://u@h/db") == .postgres(url: "postgresql://u@h/db"))
    }

    @Test func envExampleListsEveryOptionWithItsDefault() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
        for option in ConfigurationOption.all {
            let line = option.defaultValue.isEmpty ? "# \(option.name)=" : "\(option.name)=\(option.defaultValue)"
            #expect(example.contains("\n\(line)\n"), "\(option.name)")
            #expect(ConfigurationOption.helpText.contains(option.name))
        }
    }
}
