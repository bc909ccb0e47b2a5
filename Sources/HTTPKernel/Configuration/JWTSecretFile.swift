import Crypto
import Foundation
import Logging

/// Supplies the JWT key when none is configured: generated once and kept in the data folder, so tokens survive restarts.
enum JWTSecretFile {
    static let fileName = "jwt-secret"

    static func resolve(configuration: AppConfiguration, logger: Logger) throws -> String {
        if let secret = configuration.jwtSecret { return secret }
        guard let folder = configuration.database.dataFolder else {
            logger.warning("JWT_SECRET_KEY is not set: using a random key for this run only (in-memory store)")
            return self.generate()
        }
        let path = URL(fileURLWithPath: folder).appendingPathComponent(self.fileName).path
        if let stored = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            stored.utf8.count >= 32
        {
            logger.warning("JWT_SECRET_KEY is not set: using the key generated earlier", metadata: ["path": .string(path)])
            return stored
        }
        let secret = self.generate()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Readable by the server's user only: whoever reads it can mint tokens.
        guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw ConfigurationError("JWT_SECRET_KEY is not set and \(path) cannot be written; set JWT_SECRET_KEY")
        }
        logger.warning("JWT_SECRET_KEY is not set: generated a key and stored it", metadata: ["path": .string(path)])
        return secret
    }

    static func generate() -> String {
        SymmetricKey(size: SymmetricKeySize(bitCount: 512)).withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }
}
