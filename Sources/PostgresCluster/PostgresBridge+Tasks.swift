import Foundation
import Logging
import PostgresNIO
import PostgresStore
import Realtime

/// The bridge's background work: reading the log, sending notices, listening.
extension PostgresBridge {
    /// Events read per query while catching up.
    static let readPageSize = 500

    /// Delivers what the log has after the last delivered id, each time it is woken.
    func readLog(wakeups: AsyncStream<Void>) async {
        for await _ in wakeups {
            do {
                try await self.catchUp()
            } catch {
                self.logger.warning("reading new events failed; retrying", metadata: ["error": .string(String(reflecting: error))])
            }
        }
    }

    /// Delivers every event committed after the last delivered one. Safe to run from two tasks at once: delivery
    /// skips what the other delivered.
    func catchUp() async throws {
        while !Task.isCancelled {
            let (events, lastID) = try await self.store.events(after: self.lastDelivered, limit: Self.readPageSize)
            self.deliver(events, through: lastID)
            guard lastID != nil, events.count == Self.readPageSize else { return }
        }
    }

    /// The periodic read: catches the events whose wake-up never came.
    func wakeReaderEverySecond() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            self.readWakeups.yield()
        }
    }

    /// Sends what this node's clients did since the last notice, in as few notices as fit.
    func sendNotices(wakeups: AsyncStream<Void>) async {
        for await _ in wakeups {
            let outbox = self.takeOutbox()
            do {
                let (notices, oversized) = try BusNotice.pack(
                    node: self.nodeID, head: outbox.head, signals: outbox.signals, changes: outbox.changes)
                if !oversized.isEmpty {
                    self.logger.warning(
                        "live frames too large for a notification reached this node's clients only", metadata: ["frames": "\(oversized.count)"])
                }
                var failed = false
                for notice in notices {
                    do {
                        // A notification is a transaction of its own, and nothing it says needs to survive a crash (the
                        // events are in the log): it need not wait for its commit to reach the disk, as writes do.
                        try await self.store.execute(
                            "SELECT set_config('synchronous_commit', 'off', true), pg_notify(\(self.channel), \(notice))")
                    } catch {
                        failed = true
                        self.logger.warning("notifying the other nodes failed", metadata: ["error": .string(String(reflecting: error))])
                    }
                }
                if failed {
                    // Events are still read by the other nodes' periodic read, and live frames are stale by now; but
                    // access changes travel only in notices, so they go again (twice is harmless: one more re-check).
                    try? await Task.sleep(for: .milliseconds(200))
                    self.resend(changes: outbox.changes)
                }
            } catch {
                self.logger.warning("encoding a notice failed", metadata: ["error": .string(String(reflecting: error))])
            }
        }
    }

    /// Listens on one pooled connection for as long as it lasts, then on a new one; each time it starts, it reads the
    /// log for what it may have missed meanwhile.
    func listen() async {
        var listenedBefore = false
        while !Task.isCancelled {
            do {
                try await self.store.client.withOpenConnection { connection in
                    try await connection.listen(on: self.channel) { notifications in
                        self.readWakeups.yield()
                        // Access changes sent while nobody listened are lost: every connection re-checks instead.
                        if listenedBefore { self.reportMissedChanges() }
                        listenedBefore = true
                        for try await notification in notifications {
                            let notice: BusNotice
                            do {
                                notice = try JSONDecoder().decode(BusNotice.self, from: Data(notification.payload.utf8))
                            } catch {
                                self.logger.warning("ignored a notice this node cannot read", metadata: ["error": .string("\(error)")])
                                continue
                            }
                            try await self.receive(notice)
                        }
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                self.logger.warning("the listening connection ended; listening again", metadata: ["error": .string(String(reflecting: error))])
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
