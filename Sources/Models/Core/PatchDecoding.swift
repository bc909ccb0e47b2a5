extension KeyedDecodingContainer {
    /// A field of a partial update: nil when absent (leave it), `.some(nil)` when null (clear it), `.some(value)` to set it.
    public func decodePatch<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value?? {
        guard self.contains(key) else { return nil }
        return .some(try self.decode(Value?.self, forKey: key))
    }

    /// A field that may be absent but, when present, must not be null (null is a validation error, not "unchanged").
    public func decodeIfPresentNonNull<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        self.contains(key) ? try self.decode(type, forKey: key) : nil
    }
}
