import Foundation
import Hummingbird
import Models

/// Reads request bodies as the wire's JSON, in one parse, telling apart the two ways a body can be wrong: unparseable
/// (400, `INVALID_JSON`) and parsed but with missing or mistyped fields (422, `VALIDATION_FAILED` naming each field).
public struct WireRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<Value: Decodable>(_ type: Value.Type, from request: Request, context: some RequestContext) async throws -> Value {
        var request = request
        // The body-limit middleware has already bounded the body; `maxUploadSize` only stops an unbounded read.
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return try Self.decode(type, from: Data(buffer.readableBytesView))
    }

    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        guard !data.isEmpty else { throw DomainError.malformedBody("The request body is not valid JSON") }
        do {
            let value = try WireFormat.makeDecoder().decode(type, from: data)
            if WireFormat.containsNUL(json: data) { throw DomainError.invalid([Self.nulProblem(in: data)]) }
            return value
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty && !Self.isJSON(data) {
            // Only a failed body is parsed again, to tell unparseable JSON from a value that refused itself.
            throw DomainError.malformedBody("The request body is not valid JSON")
        } catch let error as DecodingError {
            throw DomainError.invalid([Self.problem(for: error)])
        }
    }

    /// Names the first field whose text holds NUL (parsed again only then: NUL is rare).
    static func nulProblem(in data: Data) -> FieldProblem {
        let value = try? WireFormat.makeDecoder().decode(JSONValue.self, from: data)
        return FieldProblem(field: value.flatMap { self.pathToNUL(in: $0, at: []) } ?? "body", message: "must not contain the NUL character")
    }

    private static func pathToNUL(in value: JSONValue, at path: [String]) -> String? {
        switch value {
        case .string(let text):
            return text.unicodeScalars.contains("\u{0}") ? (path.isEmpty ? "body" : path.joined(separator: ".")) : nil
        case .array(let items):
            return items.indices.lazy.compactMap { self.pathToNUL(in: items[$0], at: path + [String($0)]) }.first
        case .object(let fields):
            return fields.keys.sorted().lazy.compactMap { key in
                key.unicodeScalars.contains("\u{0}")
                    ? (path + [key]).joined(separator: ".") : fields[key].flatMap { self.pathToNUL(in: $0, at: path + [key]) }
            }.first
        case .null, .bool, .number:
            return nil
        }
    }

    private static func isJSON(_ data: Data) -> Bool {
        (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
    }

    static func problem(for error: DecodingError) -> FieldProblem {
        switch error {
        case .keyNotFound(let key, let context):
            return FieldProblem(field: self.path(context.codingPath + [key]), message: "is required")
        case .valueNotFound(let expected, let context):
            return FieldProblem(field: self.path(context.codingPath), message: "must be \(self.describe(expected)), not null")
        case .typeMismatch(let expected, let context):
            return FieldProblem(field: self.path(context.codingPath), message: "must be \(self.describe(expected))")
        case .dataCorrupted(let context):
            return FieldProblem(field: self.path(context.codingPath), message: "is not valid: \(context.debugDescription)")
        @unknown default:
            return FieldProblem(field: "body", message: "is not valid")
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        let names = codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
        return names.isEmpty ? "body" : names.joined(separator: ".")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}
