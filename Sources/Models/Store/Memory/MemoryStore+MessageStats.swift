extension MemoryStore {
    /// The counts SQLite's aggregates give; other people's direct messages are not counted for the viewer.
    public func messageStats(sessionID: String, viewerID: String) async throws -> MessageStats {
        try self.read { tables in
            let session = tables.messages.values.filter { $0.sessionID == sessionID }
            let visible = session.filter { $0.isVisible(to: viewerID) }
            let live = visible.filter { $0.deletedAt == nil }
            var byType = Dictionary(uniqueKeysWithValues: MessageType.allCases.map { ($0.rawValue, 0) })
            for message in live { byType[message.type.rawValue, default: 0] += 1 }
            let reactions = session.flatMap { tables.reactions[$0.id] ?? [] }
            let topEmojis = Dictionary(grouping: reactions, by: \.emoji)
                .map { EmojiCount(emoji: $0.key, count: $0.value.count) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : binaryPrecedes($0.emoji, $1.emoji) }
            let byUser = Dictionary(grouping: live.compactMap(\.userID)) { $0 }
                .map { UserMessageCount(userID: $0.key, username: tables.username(of: $0.key), messages: $0.value.count) }
                .sorted { $0.messages != $1.messages ? $0.messages > $1.messages : binaryPrecedes($0.userID, $1.userID) }
            return MessageStats(
                total: live.count, byType: byType,
                // Threads count every visible reply's parent, deleted replies included, as SQLite's COUNT(DISTINCT) does.
                threads: Set(visible.compactMap(\.parentID)).count, replies: live.count { $0.parentID != nil },
                reactions: reactions.count, deleted: visible.count - live.count, topEmojis: Array(topEmojis.prefix(10)), byUser: byUser
            )
        }
    }
}
