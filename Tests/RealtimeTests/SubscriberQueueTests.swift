import Foundation
import Models
import NIOCore
import Testing

@testable import Realtime

@Suite("A subscriber's bounded queue")
struct SubscriberQueueTests {
    let user = User(
        id: "u1", email: "u@example.com", username: "u", fullName: nil, preferences: [:], isActive: true, createdAt: Date(), updatedAt: Date())

    func subscriber(limit: Int = 3) -> Subscriber {
        Subscriber(id: 1, sessionID: "s", user: self.user, role: .viewer, transport: .webSocket, tokenExpiry: .distantFuture, durableLimit: limit)
    }

    func durable(_ id: Int64) -> OutboundFrame {
        OutboundFrame(event: SessionEvent(id: id, sessionID: "s", type: .chatMessage, actorID: "u2", createdAt: Date(), payload: [:]))
    }

    func cursor(line: Int, of userID: String = "u2") -> OutboundFrame {
        .ephemeral(
            "cursor_update", sessionID: "s", fields: ["user_id": .string(userID), "line": .number(Double(line))], coalescingKey: "cursor:\(userID)")
    }

    /// What a drain writes, once the subscriber is in direct delivery.
    func delivered(_ subscriber: Subscriber) -> [OutboundFrame] {
        _ = subscriber.handOver(to: RecordingSink(), lastSent: 0)
        return subscriber.drain().compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
    }

    @Test func aLaggingSubscriberGetsOnlyTheNewestCursorOfEachUser() {
        let subscriber = self.subscriber()
        #expect(subscriber.enqueue(self.cursor(line: 1)).0 == .queued)
        #expect(subscriber.enqueue(self.durable(10)).0 == .queued)
        #expect(subscriber.enqueue(self.cursor(line: 2)).0 == .coalesced)
        #expect(subscriber.enqueue(self.cursor(line: 3)).0 == .coalesced)
        #expect(subscriber.enqueue(self.cursor(line: 1, of: "u3")).0 == .queued)
        let frames = self.delivered(subscriber)
        #expect(frames.map(\.type) == ["cursor_update", "chat_message", "cursor_update"])
        #expect(String(buffer: frames[0].json).contains(#""line":3"#))
        // Once drained, the next cursor is queued afresh.
        #expect(subscriber.enqueue(self.cursor(line: 4)).0 == .queued)
    }

    @Test func passingTheDurableBoundClosesAsASlowConsumerAndDropsTheBacklog() {
        let subscriber = self.subscriber(limit: 3)
        for id in 1...3 { #expect(subscriber.enqueue(self.durable(Int64(id))).0 == .queued) }
        #expect(subscriber.enqueue(self.durable(4)).0 == .overflowed)
        #expect(subscriber.enqueue(self.durable(5)).0 == .closed)
        #expect(subscriber.closeReason == .slowConsumer)
        #expect(self.delivered(subscriber).isEmpty, "the backlog was dropped")
    }

    @Test func drainingResetsTheBound() {
        let subscriber = self.subscriber(limit: 2)
        for round in 0..<5 {
            #expect(subscriber.enqueue(self.durable(Int64(round * 2 + 1))).0 == .queued)
            #expect(subscriber.enqueue(self.durable(Int64(round * 2 + 2))).0 == .queued)
            #expect(self.delivered(subscriber).count == 2)
        }
    }

    @Test func directMessagesAreVisibleOnlyToTheirTwoUsers() {
        let frame = OutboundFrame(
            event: SessionEvent(id: 1, sessionID: "s", type: .directMessage, actorID: "a", recipientID: "b", createdAt: Date(), payload: [:])
        )
        #expect(frame.isVisible(to: "a") && frame.isVisible(to: "b"))
        #expect(!frame.isVisible(to: "c"))
        #expect(self.cursor(line: 1, of: "a").isVisible(to: "b"))
        let own = OutboundFrame.ephemeral("cursor_update", sessionID: "s", fields: [:], excluding: "a")
        #expect(!own.isVisible(to: "a"))
    }
}
