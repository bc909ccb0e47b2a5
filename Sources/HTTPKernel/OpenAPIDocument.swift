import Foundation

/// The contract, bundled with the binary so `/api/openapi.yaml` serves exactly the file the build saw.
enum OpenAPIDocument {
    static func load() throws -> String {
        guard let url = try BundledResources.bundle().url(forResource: "openapi", withExtension: "yaml") else {
            throw ConfigurationError("openapi.yaml is missing from the bundle; rebuild sessionhub")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
