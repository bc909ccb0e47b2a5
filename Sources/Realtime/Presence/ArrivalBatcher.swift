import Models
import Synchronization

/// Announces arrivals that are not logged (anyone who is not a participant) a window at a time, so that N users
/// connecting at once cost a few frames per subscriber instead of N.
///
/// The first arrival in a quiet room goes out at once as `user_joined`; arrivals during the window after it wait for
/// the window's end and go out together: as `user_joined` when there is one, as `users_joined` when there are more.
/// A batch goes to everyone in the room, its own users included (a client treats it as an upsert), because leaving
/// them out would leave each of them without the others who arrived beside it.
final class ArrivalBatcher: Sendable {
    private typealias Arrival = (userID: String, user: JSONValue)

    /// How long arrivals after a sent one wait to go out together.
    let window: Duration
    /// Called with the lock held, so that batches and the departures that flush them reach the bridge in order.
    private let send: @Sendable (EphemeralSignal) -> Void
    /// Rooms whose window is open, with the arrivals that wait for its end.
    private let rooms = Mutex<[String: [Arrival]]>([:])

    init(window: Duration, send: @escaping @Sendable (EphemeralSignal) -> Void) {
        self.window = window
        self.send = send
    }

    /// Announces `user` (the presence entry's JSON of `userID`) to the room.
    func announce(sessionID: String, userID: String, user: JSONValue) {
        let opened = self.rooms.withLock { rooms in
            guard self.window > .zero else {
                self.send(Self.signal(sessionID: sessionID, arrivals: [(userID, user)]))
                return false
            }
            guard rooms[sessionID] == nil else {
                rooms[sessionID]?.append((userID, user))
                return false
            }
            rooms[sessionID] = []
            self.send(Self.signal(sessionID: sessionID, arrivals: [(userID, user)]))
            return true
        }
        if opened { self.closeWindow(of: sessionID) }
    }

    /// Sends what waits in the room now: a departure must not overtake the arrival it follows.
    func flush(sessionID: String) {
        self.rooms.withLock { _ = self.sendWaiting(sessionID: sessionID, in: &$0) }
    }

    /// Whether arrivals in the room would wait now.
    func hasOpenWindow(sessionID: String) -> Bool {
        self.rooms.withLock { $0[sessionID] != nil }
    }

    /// At the window's end: sends what waited and opens another window, or closes the room's when nothing did.
    private func closeWindow(of sessionID: String) {
        Task {
            try? await Task.sleep(for: self.window)
            let reopened = self.rooms.withLock { rooms in
                if self.sendWaiting(sessionID: sessionID, in: &rooms) { return true }
                rooms[sessionID] = nil
                return false
            }
            if reopened { self.closeWindow(of: sessionID) }
        }
    }

    /// False when no arrival waited.
    private func sendWaiting(sessionID: String, in rooms: inout [String: [Arrival]]) -> Bool {
        guard let waiting = rooms[sessionID], !waiting.isEmpty else { return false }
        rooms[sessionID] = []
        self.send(Self.signal(sessionID: sessionID, arrivals: waiting))
        return true
    }

    /// `user_joined` for one arrival, not sent to its own user; `users_joined` for several, sent to everyone.
    private static func signal(sessionID: String, arrivals: [Arrival]) -> EphemeralSignal {
        if arrivals.count == 1 {
            return EphemeralSignal(sessionID: sessionID, kind: .userJoined, fields: ["user": arrivals[0].user], excludedUserID: arrivals[0].userID)
        }
        return EphemeralSignal(sessionID: sessionID, kind: .usersJoined, fields: ["users": .array(arrivals.map(\.user))])
    }
}
