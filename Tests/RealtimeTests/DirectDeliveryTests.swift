import Foundation
import Models
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import Realtime

/// A connection as a subscriber in direct delivery sees it: what was written, and whether it takes more.
final class RecordingSink: DirectSink {
    let eventLoop: any EventLoop = EmbeddedEventLoop()
    let writable = Atomic<Bool>(true)
    private let written = Mutex<[[Int64?]]>([])

    var isWritable: Bool { self.writable.load(ordering: .relaxed) }
    var writes: [[Int64?]] { self.written.withLock { $0 } }

    func write(_ items: [Subscriber.Outgoing], promise: EventLoopPromise<Void>?) {
        self.written.withLock { $0.append(items.eventIDs) }
        promise?.succeed()
    }
}

extension [Subscriber.Outgoing] {
    var eventIDs: [Int64?] { self.compactMap { if case .frame(let frame) = $0 { frame.eventID } else { nil } } }
}

@Suite("A subscriber in direct delivery")
struct DirectDeliveryTests {
    let queue = SubscriberQueueTests()

    @Test func aBurstNeedsOneDrainAndSkipsWhatTheReplaySent() {
        let subscriber = self.queue.subscriber(limit: 10)
        let sink = RecordingSink()
        _ = subscriber.enqueue(self.queue.durable(4))
        // The writer task replayed up to 5, and 4 was queued meanwhile: a drain is due, and it skips 4.
        #expect(subscriber.handOver(to: sink, lastSent: 5) != nil)
        let (result, drainInto) = subscriber.enqueue(self.queue.durable(6))
        #expect(result == .queued)
        #expect(drainInto == nil, "a drain is already scheduled")
        #expect(subscriber.drain().eventIDs == [6])
        #expect(subscriber.enqueue(self.queue.durable(7)).drainInto != nil)
        #expect(subscriber.enqueue(self.queue.durable(8)).drainInto == nil)
        #expect(subscriber.drain().eventIDs == [7, 8])
        #expect(sink.writes == [[6], [7, 8]])
    }

    @Test func aConnectionOverItsHighWaterMarkKeepsItsQueueUntilItDrainsOrOverflows() {
        let subscriber = self.queue.subscriber(limit: 3)
        let sink = RecordingSink()
        _ = subscriber.handOver(to: sink, lastSent: 0)
        sink.writable.store(false, ordering: .relaxed)
        #expect(subscriber.enqueue(self.queue.durable(1)).drainInto != nil)
        #expect(subscriber.drain().isEmpty)
        #expect(sink.writes.isEmpty)
        // Nothing new arrives: the hub's once-a-second pass finds it stalled and tries again.
        #expect(subscriber.stalledSink() != nil)
        sink.writable.store(true, ordering: .relaxed)
        #expect(subscriber.drain().eventIDs == [1])
        #expect(subscriber.stalledSink() == nil)

        sink.writable.store(false, ordering: .relaxed)
        for id in 2...4 { _ = subscriber.enqueue(self.queue.durable(Int64(id))) }
        #expect(subscriber.enqueue(self.queue.durable(5)).0 == .overflowed)
        #expect(subscriber.closeReason == .slowConsumer)
        #expect(subscriber.drain().isEmpty)
    }

    @Test func theWriterTaskWaitingForTheEndAndTheStalledClientGuardBothWake() async {
        let subscriber = self.queue.subscriber()
        async let writer: Void = subscriber.waitUntilClosed()
        async let guardian: Void = subscriber.waitUntilClosed()
        try? await Task.sleep(for: .milliseconds(50))
        subscriber.close(.accessLost)
        _ = await (writer, guardian)
        #expect(subscriber.closeReason == .accessLost)
    }
}
