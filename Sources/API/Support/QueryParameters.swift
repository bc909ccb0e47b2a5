import Hummingbird
import Models

/// Typed access to a request's query string; a value that does not parse is a 422 naming the parameter.
struct QueryParameters {
    let request: Request

    func string(_ name: String) -> String? {
        self.request.uri.queryParameters.get(name)
    }

    func value<Value: RawRepresentable & CaseIterable>(_ name: String, as type: Value.Type) throws -> Value? where Value.RawValue == String {
        guard let text = self.string(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw DomainError.invalid(name, "must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// `limit` and `cursor`.
    var page: PageRequest {
        get throws { try PageRequest(limit: self.string("limit"), cursor: self.string("cursor")) }
    }
}

extension Request {
    var query: QueryParameters { QueryParameters(request: self) }
}
