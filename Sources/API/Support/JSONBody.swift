import Foundation
import Hummingbird
import Models

/// Reads a request body as JSON, telling apart the two ways it can be wrong:
/// unparseable (400, `INVALID_JSON`) and parsed but with missing or mistyped fields (422, `VALIDATION_FAILED`).
public enum JSONBody {
    public static func decode<Value: Decodable>(_ type: Value.Type, from request: Request) async throws -> Value {
        try self.decode(type, from: try await self.data(of: request))
    }

    static func data(of request: Request) async throws -> Data {
        var request = request
        // The body-limit middleware has already bounded and buffered the body.
        let buffer = try await request.collectBody(upTo: .max)
        return Data(buffer.readableBytesView)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        guard !data.isEmpty, (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else {
            throw DomainError.malformedBody("The request body is not valid JSON")
        }
        do {
            return try WireFormat.makeDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw DomainError.invalid([self.problem(for: error)])
        }
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
