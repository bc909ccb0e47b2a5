/// Encodes an absent value as an explicit `null` instead of leaving its key out, so every response has one stable
/// shape (generated clients and the contract's `required` lists rely on it) without a hand-written `encode(to:)`.
@propertyWrapper
public struct NullEncoded<Value: Sendable & Equatable>: Sendable, Equatable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }
}

extension NullEncoded: Encodable where Value: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = self.wrappedValue {
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }
}
