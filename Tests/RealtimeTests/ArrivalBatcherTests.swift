import Models
import Synchronization
import Testing

@testable import Realtime

/// A connect storm is announced a window at a time, and no arrival is lost, delayed past its window, or overtaken.
@Suite("Arrival batches")
struct ArrivalBatcherTests {
    final class Sent: Sendable {
        private let signals = Mutex<[EphemeralSignal]>([])
        var all: [EphemeralSignal] { self.signals.withLock { $0 } }
        func append(_ signal: EphemeralSignal) { self.signals.withLock { $0.append(signal) } }
    }

    static func user(_ id: String) -> JSONValue { .object(["user_id": .string(id)]) }

    static func announced(in signal: EphemeralSignal) -> [JSONValue] {
        switch signal.kind {
        case .userJoined: signal.fields["user"].map { [$0] } ?? []
        case .usersJoined: if case .array(let users)? = signal.fields["users"] { users } else { [] }
        default: []
        }
    }

    @Test func theFirstArrivalInAQuietRoomGoesOutAtOnceToEveryoneButItsUser() {
        let sent = Sent()
        let batcher = ArrivalBatcher(window: .seconds(60)) { sent.append($0) }
        batcher.announce(sessionID: "s1", user: Self.user("ann"))
        #expect(sent.all.map(\.kind) == [.userJoined])
        #expect(sent.all.first?.excludedUserID == "ann")
        #expect(sent.all.first?.fields["user"] == Self.user("ann"))
    }

    @Test func arrivalsWithinTheWindowWaitAndGoOutTogetherToEveryone() async throws {
        let sent = Sent()
        let batcher = ArrivalBatcher(window: .milliseconds(100)) { sent.append($0) }
        for id in ["ann", "bob", "cy", "dee"] { batcher.announce(sessionID: "s1", user: Self.user(id)) }
        #expect(sent.all.count == 1, "the three after the first wait for the window's end")
        try await waitUntil { sent.all.count == 2 }
        let batch = sent.all[1]
        #expect(batch.kind == .usersJoined)
        #expect(batch.excludedUserID == nil, "each user of a batch must hear of the others")
        #expect(Self.announced(in: batch) == ["bob", "cy", "dee"].map(Self.user))
    }

    @Test func aLoneArrivalAfterTheFirstGoesOutAsUserJoinedAtTheWindowsEnd() async throws {
        let sent = Sent()
        let batcher = ArrivalBatcher(window: .milliseconds(50)) { sent.append($0) }
        batcher.announce(sessionID: "s1", user: Self.user("ann"))
        batcher.announce(sessionID: "s1", user: Self.user("bob"))
        try await waitUntil { sent.all.count == 2 }
        #expect(sent.all[1].kind == .userJoined)
        #expect(sent.all[1].excludedUserID == "bob")
    }

    @Test func aQuietWindowClosesSoTheNextArrivalGoesOutAtOnce() async throws {
        let sent = Sent()
        let batcher = ArrivalBatcher(window: .milliseconds(20)) { sent.append($0) }
        batcher.announce(sessionID: "s1", user: Self.user("ann"))
        #expect(batcher.hasOpenWindow(sessionID: "s1"))
        try await waitUntil { !batcher.hasOpenWindow(sessionID: "s1") }
        batcher.announce(sessionID: "s1", user: Self.user("bob"))
        #expect(sent.all.map(Self.announced(in:)) == [[Self.user("ann")], [Self.user("bob")]], "bob is sent by the call itself")
    }

    @Test func aFlushSendsWhatWaitsSoADepartureCannotOvertakeIt() {
        let sent = Sent()
        let batcher = ArrivalBatcher(window: .seconds(60)) { sent.append($0) }
        for id in ["ann", "bob", "cy"] { batcher.announce(sessionID: "s1", user: Self.user(id)) }
        batcher.announce(sessionID: "s2", user: Self.user("dee"))
        batcher.announce(sessionID: "s2", user: Self.user("eve"))
        batcher.flush(sessionID: "s1")
        #expect(sent.all.map(\.sessionID) == ["s1", "s2", "s1"], "only the flushed room's arrivals go out")
        #expect(Self.announced(in: sent.all[2]) == ["bob", "cy"].map(Self.user))
        batcher.flush(sessionID: "s1")
        #expect(sent.all.count == 3, "nothing is sent twice")
    }

    @Test func aWindowOfZeroAnnouncesEachArrivalAtOnce() {
        let sent = Sent()
        let batcher = ArrivalBatcher(window: .zero) { sent.append($0) }
        for id in ["ann", "bob", "cy"] { batcher.announce(sessionID: "s1", user: Self.user(id)) }
        #expect(sent.all.map(\.kind) == [.userJoined, .userJoined, .userJoined])
        #expect(sent.all.map(\.excludedUserID) == ["ann", "bob", "cy"])
        #expect(!batcher.hasOpenWindow(sessionID: "s1"))
    }

    @Test func aUserWhoLeftThroughAnotherNodeIsNotAnnouncedAfterwards() {
        let sent = Sent()
        let batcher = ArrivalBatcher(window: .seconds(60)) { sent.append($0) }
        for id in ["ann", "bob", "cy"] { batcher.announce(sessionID: "s1", user: Self.user(id)) }
        batcher.withdraw(userID: "bob", sessionID: "s1")
        batcher.withdraw(userID: "bob", sessionID: "s2")
        batcher.flush(sessionID: "s1")
        #expect(sent.all.map(Self.announced(in:)) == [[Self.user("ann")], [Self.user("cy")]])
    }
}
