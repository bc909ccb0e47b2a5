import Foundation
import Yams

/// The server-rendered part of `/api/docs`: every operation of openapi.yaml with its summary, parameters, request
/// body and responses, readable with no script and no network (Swagger UI, from a CDN, is the enhancement).
struct OperationReference: Sendable {
    let html: String

    private static let methods = ["get", "put", "post", "patch", "delete"]

    init(openAPIDocument: String) throws {
        guard let document = try Yams.load(yaml: openAPIDocument) as? [String: Any], let paths = document["paths"] as? [String: Any] else {
            throw ConfigurationError("openapi.yaml has no paths")
        }
        let components = document["components"] as? [String: Any] ?? [:]
        var sections: [String: [String]] = [:]
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard let item = item as? [String: Any] else { continue }
            let shared = item["parameters"] as? [Any] ?? []
            for method in Self.methods {
                guard let operation = item[method] as? [String: Any] else { continue }
                let tag = (operation["tags"] as? [String])?.first ?? "other"
                sections[tag, default: []].append(Self.render(method: method, path: path, operation, shared: shared, components: components))
            }
        }
        let tagOrder = (document["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let tags = tagOrder.filter { sections[$0] != nil } + sections.keys.filter { !tagOrder.contains($0) }.sorted()
        self.html = tags.map { tag in
            "<section><h2>\(Self.escape(tag))</h2>\n\(sections[tag, default: []].joined(separator: "\n"))</section>"
        }.joined(separator: "\n")
    }

    private static func render(method: String, path: String, _ operation: [String: Any], shared: [Any], components: [String: Any]) -> String {
        var parts = ["<h3><code>\(method.uppercased()) \(escape(path))</code></h3>"]
        if let summary = operation["summary"] as? String { parts.append("<p>\(escape(summary))</p>") }
        if let description = operation["description"] as? String { parts.append("<p class=\"description\">\(escape(description))</p>") }
        let parameters = (shared + (operation["parameters"] as? [Any] ?? [])).compactMap { resolve($0, in: components) }
        if !parameters.isEmpty {
            let rows = parameters.map { parameter in
                let required = parameter["required"] as? Bool == true ? "required" : "optional"
                return "<li><code>\(escape(parameter["name"] as? String ?? "?"))</code> (\(escape(parameter["in"] as? String ?? "?")), "
                    + "\(required), \(escape(typeName(parameter["schema"])))) \(escape(parameter["description"] as? String ?? ""))</li>"
            }
            parts.append("<h4>Parameters</h4><ul>\(rows.joined())</ul>")
        }
        if let body = operation["requestBody"] as? [String: Any], let content = body["content"] as? [String: Any] {
            let kinds = content.sorted { $0.key < $1.key }.map { type, media in
                "<li><code>\(escape(type))</code>: \(escape(typeName((media as? [String: Any])?["schema"])))</li>"
            }
            parts.append("<h4>Request body</h4><ul>\(kinds.joined())</ul>")
        }
        if let responses = operation["responses"] as? [String: Any] {
            let rows = responses.sorted { $0.key < $1.key }.map { status, response in
                let response = resolve(response, in: components) ?? [:]
                let schemas = (response["content"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { type, media in
                    "\(type): \(typeName((media as? [String: Any])?["schema"]))"
                }
                let bodies = schemas.isEmpty ? "" : " (\(schemas.joined(separator: ", ")))"
                let described = (response["description"] as? String ?? "") + bodies
                return "<li><code>\(escape(status))</code> \(escape(described))</li>"
            }
            parts.append("<h4>Responses</h4><ul>\(rows.joined())</ul>")
        }
        let id = escape(operation["operationId"] as? String ?? "\(method)\(path)")
        return "<article id=\"\(id)\">\(parts.joined(separator: "\n"))</article>"
    }

    /// A parameter or response, following one `$ref` into components.
    private static func resolve(_ value: Any, in components: [String: Any]) -> [String: Any]? {
        guard let object = value as? [String: Any] else { return nil }
        guard let reference = object["$ref"] as? String else { return object }
        let parts = reference.split(separator: "/").dropFirst(2).map(String.init)
        guard parts.count == 2 else { return nil }
        return (components[parts[0]] as? [String: Any])?[parts[1]] as? [String: Any]
    }

    /// A schema in a few words: its component's name, or its type.
    private static func typeName(_ schema: Any?) -> String {
        guard let schema = schema as? [String: Any] else { return "any" }
        if let reference = schema["$ref"] as? String { return String(reference.split(separator: "/").last ?? "") }
        if let choices = (schema["oneOf"] ?? schema["anyOf"]) as? [Any] { return choices.map(typeName).joined(separator: " or ") }
        if let type = schema["type"] as? String {
            if type == "array" { return "array of \(typeName(schema["items"]))" }
            return (schema["format"] as? String).map { "\(type) (\($0))" } ?? type
        }
        if let types = schema["type"] as? [String] { return types.joined(separator: " or ") }
        return "any"
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
