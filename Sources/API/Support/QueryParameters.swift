import Foundation
import Hummingbird
import Models

/// Typed access to a request's query string; a value that does not parse is a 422 naming the parameter.
struct QueryParameters {
    let request: Request

    func string(_ name: String) -> String? {
        self.request.uri.queryParameters.get(name)
    }

    /// An id filter: every id is a UUID, so anything else (an empty value too) is refused rather than matching nothing.
    func id(_ name: String) throws -> String? {
        guard let text = self.string(name) else { return nil }
        guard UUID(uuidString: text) != nil else { throw DomainError.invalid(name, "must be a UUID") }
        return text.lowercased()
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
