import Foundation
import Synchronization

/// The in-memory backend: every table a plain collection behind one lock, so that each port method is one atomic step,
/// as a transaction is in SQLite. For tests and tools, and the reference the store conformance suite holds every backend
/// to: it answers as `SQLiteStore` does, down to the orders SQLite's queries leave to their plans, except that it keeps
/// times as given (SQLite keeps milliseconds) and never hands out a position twice (SQLite may reuse the rowid of the
/// last participant removed). Nothing outlives the process.
///
/// A write first checks everything that may refuse it (its rules, the rows SQLite's foreign keys would require, the
/// caller's closures) and only then changes anything, so a refused write leaves no trace, like a rolled-back one.
public final class MemoryStore: Store {
    let tables = Mutex(Tables())
    let publisher: any EventPublisher
    /// The time of the writes SQLite stamps itself (a participant's joining, a reaction, presence).
    let now: @Sendable () -> Date

    public init(publisher: any EventPublisher = DiscardingPublisher(), now: @escaping @Sendable () -> Date = WireFormat.now) {
        self.publisher = publisher
        self.now = now
    }

    public func checkReachable() async throws {}

    func read<T: Sendable>(_ body: (inout Tables) throws -> T) throws -> T {
        try self.tables.withLock { tables in try body(&tables) }
    }

    /// One write. The events it appended are published before the lock is released: in id order, as SQLite's writer
    /// publishes them in commit order.
    @discardableResult
    func write<T: Sendable>(_ body: (inout Tables) throws -> T) throws -> T {
        try self.tables.withLock { tables in
            let result = try body(&tables)
            for event in tables.unpublished { self.publisher.publish(event) }
            tables.unpublished.removeAll()
            return result
        }
    }
}

extension MemoryStore {
    /// The rows of every table. Keys are what SQLite's primary keys are; the counters hand out the ids SQLite's
    /// AUTOINCREMENT and rowids would, never reusing one.
    struct Tables: Sendable {
        var users: [String: StoredUser] = [:]
        var refreshTokens: [String: StoredRefreshToken] = [:]
        var teams: [String: Team] = [:]
        /// By team, then by user.
        var members: [String: [String: StoredMember]] = [:]
        /// When each team's figures were recorded: all that is read back of team_metrics.
        var teamMetrics: [String: [Date]] = [:]
        var sessions: [String: CodingSession] = [:]
        /// By session, in id order.
        var history: [String: [SessionSnapshot]] = [:]
        /// By session, then by user.
        var participants: [String: [String: StoredParticipant]] = [:]
        var messages: [String: StoredMessage] = [:]
        /// By message, in the order they were added.
        var reactions: [String: [StoredReaction]] = [:]
        /// By session, in id order.
        var events: [String: [StoredEvent]] = [:]
        var insights: [String: StoredInsight] = [:]
        /// The voters of each insight.
        var votes: [String: Set<String>] = [:]
        var lastHistoryID: Int64 = 0
        var lastEventID: Int64 = 0
        var lastMessageSeq: Int64 = 0
        var lastParticipantPosition: Int64 = 0
        /// Events appended by the write under way, for `write` to publish.
        var unpublished: [SessionEvent] = []

        /// What SQLite's foreign keys check: the rows a write refers to exist.
        func require(users ids: String?...) throws {
            guard ids.allSatisfy({ $0.map { self.users[$0] != nil } ?? true }) else { throw DomainError.referenceDeleted }
        }

        func require(session id: String?) throws {
            guard id.map({ self.sessions[$0] != nil }) ?? true else { throw DomainError.referenceDeleted }
        }

        func require(team id: String?) throws {
            guard id.map({ self.teams[$0] != nil }) ?? true else { throw DomainError.referenceDeleted }
        }

        func username(of userID: String?) -> String? {
            userID.flatMap { self.users[$0]?.user.username }
        }
    }
}

/// SQLite's NOCASE collation: ASCII letters compare without case, every other byte as it is.
struct NoCase: Hashable {
    let bytes: [UInt8]

    init(_ text: String) {
        self.bytes = text.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }
    }

    /// SQLite's `LIKE '%text%'`: whether `text` occurs in this text, ASCII letters without case.
    func contains(_ text: NoCase) -> Bool {
        guard text.bytes.count <= self.bytes.count else { return false }
        return (0...(self.bytes.count - text.bytes.count)).contains { start in
            self.bytes[start..<(start + text.bytes.count)].elementsEqual(text.bytes)
        }
    }
}

/// Text in SQLite's BINARY collation, byte by byte (Swift's own order compares canonically equivalent texts equal).
func binaryPrecedes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}

/// A value a listing is sorted by, ordered as SQLite orders a column's values: numbers before text, text by its bytes.
/// Times are the millisecond text SQLite stores them as, so two in the same millisecond tie and their ids decide.
enum SortValue: Comparable {
    case number(Int)
    case text(String)

    static func time(_ date: Date) -> SortValue { .text(WireFormat.timestamp(date)) }

    /// A cursor's key, read as SQLite's column affinity reads the bound text: a number if it is one.
    init(cursorKey: String) {
        self = Int(cursorKey).map(SortValue.number) ?? .text(cursorKey)
    }

    var cursorKey: String {
        switch self {
        case .number(let number): String(number)
        case .text(let text): text
        }
    }

    static func < (lhs: SortValue, rhs: SortValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let left), .number(let right)): left < right
        case (.text(let left), .text(let right)): binaryPrecedes(left, right)
        case (.number, .text): true
        case (.text, .number): false
        }
    }
}

extension Page {
    /// A keyset page: the rows after the cursor in (sort value, id) order, as SQLite's `(key, id) > (?, ?)` selects
    /// them. A cursor without a key selects nothing, as comparing with SQL's NULL does.
    init(sorting rows: [Item], by key: (Item) -> SortValue, id: (Item) -> String, descending: Bool, page: PageRequest) {
        typealias Position = (key: SortValue, id: String)
        let ascending = { (lhs: Position, rhs: Position) -> Bool in
            if lhs.key < rhs.key { return true }
            if rhs.key < lhs.key { return false }
            return binaryPrecedes(lhs.id, rhs.id)
        }
        let precedes = { (lhs: Position, rhs: Position) in descending ? ascending(rhs, lhs) : ascending(lhs, rhs) }
        var keyed = rows.map { (position: Position(key($0), id($0)), row: $0) }
        if let cursor = page.cursor {
            guard let cursorKey = cursor.key else {
                self.init(items: [], nextCursor: nil)
                return
            }
            let last = Position(SortValue(cursorKey: cursorKey), cursor.id)
            keyed.removeAll { !precedes(last, $0.position) }
        }
        keyed.sort { precedes($0.position, $1.position) }
        self.init(fetched: keyed.prefix(page.limit + 1).map(\.row), limit: page.limit) { PageCursor(key: key($0).cursorKey, id: id($0)) }
    }

    /// A page of rows already in the order of their numeric position (an AUTOINCREMENT id or rowid), after the cursor's.
    init(positioned rows: some Sequence<Item>, by position: (Item) -> Int64, page: PageRequest) {
        let after = Int64(page.cursor?.id ?? "") ?? 0
        let fetched = rows.filter { position($0) > after }.prefix(page.limit + 1)
        self.init(fetched: Array(fetched), limit: page.limit) { PageCursor(key: nil, id: String(position($0))) }
    }
}
