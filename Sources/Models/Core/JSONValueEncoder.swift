import Foundation

extension JSONValue {
    /// Any encodable value as JSON, with the wire's rules (dates as wire timestamps, absent optionals left out), built
    /// directly: an event payload used to be encoded to bytes and parsed back, twice the work on every message.
    public init(encoding value: some Encodable) throws {
        let node = JSONNode()
        try node.store(value, codingPath: [])
        self = node.value
    }
}

/// A value under construction: containers hand out child nodes, and the tree is read once encoding ends.
private final class JSONNode {
    private var scalar: JSONValue = .null
    private var fields: [String: JSONNode]?
    private var elements: [JSONNode]?

    var value: JSONValue {
        if let fields { return .object(fields.mapValues(\.value)) }
        if let elements { return .array(elements.map(\.value)) }
        return self.scalar
    }

    func set(_ scalar: JSONValue) {
        self.scalar = scalar
    }

    func field(_ key: String) -> JSONNode {
        let child = JSONNode()
        self.fields = self.fields ?? [:]
        self.fields?[key] = child
        return child
    }

    func appendElement() -> JSONNode {
        let child = JSONNode()
        self.elements = self.elements ?? []
        self.elements?.append(child)
        return child
    }

    var elementCount: Int { self.elements?.count ?? 0 }

    func makeObject() { self.fields = self.fields ?? [:] }
    func makeArray() { self.elements = self.elements ?? [] }

    func store(_ value: some Encodable, codingPath: [any CodingKey]) throws {
        switch value {
        case let date as Date: self.scalar = .string(WireFormat.timestamp(date))
        case let json as JSONValue: self.scalar = json
        default: try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        }
    }
}

private struct NodeEncoder: Encoder {
    let node: JSONNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        self.node.makeObject()
        return KeyedEncodingContainer(KeyedNodeContainer(node: self.node, codingPath: self.codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        self.node.makeArray()
        return UnkeyedNodeContainer(node: self.node, codingPath: self.codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(node: self.node, codingPath: self.codingPath)
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: JSONNode
    let codingPath: [any CodingKey]

    func encodeNil() { self.node.set(.null) }
    func encode(_ value: Bool) { self.node.set(.bool(value)) }
    func encode(_ value: String) { self.node.set(.string(value)) }
    func encode(_ value: Double) { self.node.set(.number(value)) }
    func encode(_ value: Float) { self.node.set(.number(Double(value))) }
    func encode(_ value: Int) { self.node.set(.number(Double(value))) }
    func encode(_ value: Int8) { self.node.set(.number(Double(value))) }
    func encode(_ value: Int16) { self.node.set(.number(Double(value))) }
    func encode(_ value: Int32) { self.node.set(.number(Double(value))) }
    func encode(_ value: Int64) { self.node.set(.number(Double(value))) }
    func encode(_ value: UInt) { self.node.set(.number(Double(value))) }
    func encode(_ value: UInt8) { self.node.set(.number(Double(value))) }
    func encode(_ value: UInt16) { self.node.set(.number(Double(value))) }
    func encode(_ value: UInt32) { self.node.set(.number(Double(value))) }
    func encode(_ value: UInt64) { self.node.set(.number(Double(value))) }
    func encode<T: Encodable>(_ value: T) throws { try self.node.store(value, codingPath: self.codingPath) }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONNode
    let codingPath: [any CodingKey]

    func encodeNil(forKey key: Key) { self.node.field(key.stringValue).set(.null) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try self.node.field(key.stringValue).store(value, codingPath: self.codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: self.node.field(key.stringValue), codingPath: self.codingPath + [key]).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: self.node.field(key.stringValue), codingPath: self.codingPath + [key]).unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        NodeEncoder(node: self.node.field("super"), codingPath: self.codingPath)
    }

    func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: self.node.field(key.stringValue), codingPath: self.codingPath + [key])
    }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: JSONNode
    let codingPath: [any CodingKey]
    var count: Int { self.node.elementCount }

    func encodeNil() { self.node.appendElement().set(.null) }

    func encode<T: Encodable>(_ value: T) throws {
        try self.node.appendElement().store(value, codingPath: self.codingPath)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: self.node.appendElement(), codingPath: self.codingPath).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: self.node.appendElement(), codingPath: self.codingPath).unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        NodeEncoder(node: self.node.appendElement(), codingPath: self.codingPath)
    }
}
