import Foundation

/// Which page of a list to return: at most `limit` items after the position `cursor` names.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 200

    public let limit: Int
    public let cursor: PageCursor?

    public init(limit: Int = PageRequest.defaultLimit, cursor: PageCursor? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    /// Parses the `limit` and `cursor` query parameters; anything malformed is a 422 naming the parameter.
    public init(limit: String?, cursor: String?) throws {
        var parsedLimit = PageRequest.defaultLimit
        if let limit {
            guard let value = Int(limit), (1...PageRequest.maximumLimit).contains(value) else {
                throw DomainError.invalid("limit", "must be an integer from 1 to \(PageRequest.maximumLimit)")
            }
            parsedLimit = value
        }
        var parsedCursor: PageCursor?
        if let cursor {
            guard let decoded = PageCursor(encoded: cursor) else { throw DomainError.invalid("cursor", "is not a cursor this server issued") }
            parsedCursor = decoded
        }
        self.init(limit: parsedLimit, cursor: parsedCursor)
    }
}

/// An opaque position in a keyset-ordered list: the sort value and id of the last item served.
///
/// Keyset rather than offset pagination, so a page does not shift when rows are added before it.
public struct PageCursor: Sendable, Equatable, Codable {
    /// The sort key of the last item, as text (numbers and timestamps included); nil when ordered by id alone.
    public let key: String?
    public let id: String

    public init(key: String?, id: String) {
        self.key = key
        self.id = id
    }

    init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let cursor = try? JSONDecoder().decode(PageCursor.self, from: data) else {
            return nil
        }
        self = cursor
    }

    public var encoded: String {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// One page of a list, answered as `{"items": [...], "next_cursor": ...}`.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    /// Present when more items follow.
    public let nextCursor: PageCursor?

    public init(items: [Item], nextCursor: PageCursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from up to `limit + 1` fetched rows: the extra row only says that another page exists.
    public init(fetched: [Item], limit: Int, cursorOf: (Item) -> PageCursor) {
        let items = Array(fetched.prefix(limit))
        self.items = items
        self.nextCursor = fetched.count > limit ? items.last.map(cursorOf) : nil
    }

    public func map<Other>(_ transform: (Item) throws -> Other) rethrows -> Page<Other> {
        Page<Other>(items: try self.items.map(transform), nextCursor: self.nextCursor)
    }
}

extension Page: Encodable where Item: Encodable {
    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.items, forKey: .items)
        try container.encode(self.nextCursor?.encoded, forKey: .nextCursor)
    }
}
