import Glibc
import Synchronization
import WebSocketClient

/// Nanoseconds on the system-wide monotonic clock, the one publishers stamp into their messages.
func monotonicNanos() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Counters every connection of a workload adds to, read while it runs.
final class Progress: Sendable {
    let connected = Atomic<Int>(0)
    /// Summed over connections: the distinct users each knows are present, from `connected` and the joins after it.
    let knownUsers = Atomic<Int>(0)
    let delivered = Atomic<Int>(0)
    let acks = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
}

/// What one subscriber saw: which probe messages (by sequence number), duplicates, and each one's latency.
/// Fed on its connection's event loop; read once the workload ends.
final class Receiver: FrameReceiver {
    struct Tally {
        var seen: [UInt64] = []
        /// Hashes of the user ids this connection was told are present.
        var knownUsers: Set<UInt64> = []
        var received = 0
        var duplicates = 0
        var latenciesMicros: [UInt32] = []
        var closeCode: Int?
    }

    /// Marks the probe messages publishers send: `bench:<sequence>:<send time in ns>`.
    static let probeMarker = Array("bench:".utf8)
    private static let connectedMarker = Array("\"type\":\"connected\"".utf8)
    private static let joinedMarker = Array("\"type\":\"user_joined\"".utf8)
    private static let batchJoinedMarker = Array("\"type\":\"users_joined\"".utf8)
    private static let userIDMarker = Array("\"user_id\":\"".utf8)
    private static let ackMarker = Array("\"type\":\"ack\"".utf8)
    private static let errorMarker = Array("\"type\":\"error\"".utf8)

    let progress: Progress
    /// Called for each `ack` and `error` (a publisher's window), on the event loop.
    let onAnswer: (@Sendable () -> Void)?
    private let tally = Mutex(Tally())

    init(progress: Progress, onAnswer: (@Sendable () -> Void)? = nil) {
        self.progress = progress
        self.onAnswer = onAnswer
    }

    static func probe(sequence: Int) -> String {
        "bench:\(sequence):\(monotonicNanos())"
    }

    /// One WebSocket text frame or SSE event: the JSON of a server frame.
    func handle(_ bytes: UnsafeRawBufferPointer) {
        if let offset = Self.find(Self.probeMarker, in: bytes) {
            let now = monotonicNanos()
            var cursor = offset + Self.probeMarker.count
            let sequence = Self.readNumber(bytes, &cursor)
            cursor += 1
            let sentAt = Self.readNumber(bytes, &cursor)
            self.record(sequence: Int(sequence), latencyNanos: now &- sentAt)
        } else if Self.find(Self.connectedMarker, in: bytes) != nil {
            self.progress.connected.add(1, ordering: .relaxed)
            self.learnUsers(from: bytes)
        } else if Self.find(Self.joinedMarker, in: bytes) != nil || Self.find(Self.batchJoinedMarker, in: bytes) != nil {
            self.learnUsers(from: bytes)
        } else if Self.find(Self.ackMarker, in: bytes) != nil {
            self.progress.acks.add(1, ordering: .relaxed)
            self.onAnswer?()
        } else if Self.find(Self.errorMarker, in: bytes) != nil {
            self.progress.errors.add(1, ordering: .relaxed)
            self.onAnswer?()
        }
    }

    func closed(code: Int) {
        let first = self.tally.withLock { tally in
            defer { if tally.closeCode == nil { tally.closeCode = code } }
            return tally.closeCode == nil
        }
        if first { self.progress.closed.add(1, ordering: .relaxed) }
    }

    var result: Tally { self.tally.withLock { $0 } }

    private func record(sequence: Int, latencyNanos: UInt64) {
        let fresh = self.tally.withLock { tally -> Bool in
            let (word, bit) = (sequence / 64, UInt64(1) << UInt64(sequence % 64))
            if word >= tally.seen.count { tally.seen.append(contentsOf: repeatElement(0, count: word - tally.seen.count + 64)) }
            guard tally.seen[word] & bit == 0 else {
                tally.duplicates += 1
                return false
            }
            tally.seen[word] |= bit
            tally.received += 1
            tally.latenciesMicros.append(UInt32(min(latencyNanos / 1000, UInt64(UInt32.max))))
            return true
        }
        if fresh { self.progress.delivered.add(1, ordering: .relaxed) }
    }

    /// Adds every `user_id` value of a `connected` or join frame to the users this connection knows.
    private func learnUsers(from bytes: UnsafeRawBufferPointer) {
        var ids: [UInt64] = []
        var offset = 0
        while let hit = Self.find(Self.userIDMarker, in: UnsafeRawBufferPointer(rebasing: bytes[offset...])) {
            var cursor = offset + hit + Self.userIDMarker.count
            // FNV-1a of the id's bytes: enough to tell a room's users apart, without keeping their strings.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\"") {
                hash = (hash ^ UInt64(bytes[cursor])) &* 0x100_0000_01b3
                cursor += 1
            }
            ids.append(hash)
            offset = cursor
        }
        let learned = self.tally.withLock { tally in ids.count { tally.knownUsers.insert($0).inserted } }
        self.progress.knownUsers.add(learned, ordering: .relaxed)
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, bytes.count >= needle.count, let first = needle.first else { return nil }
        return needle.withUnsafeBytes { pattern -> Int? in
            var offset = 0
            let last = bytes.count - needle.count
            while offset <= last {
                guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return nil }
                offset = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + offset, pattern.baseAddress!, needle.count) == 0 { return offset }
                offset += 1
            }
            return nil
        }
    }

    private static func readNumber(_ bytes: UnsafeRawBufferPointer, _ cursor: inout Int) -> UInt64 {
        var value: UInt64 = 0
        while cursor < bytes.count, bytes[cursor] >= 0x30, bytes[cursor] <= 0x39 {
            value = value &* 10 &+ UInt64(bytes[cursor] - 0x30)
            cursor += 1
        }
        return value
    }
}
