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
    /// How long arrivals after a sent one wait to go out together.
    let window: Duration
    /// Called with the lock held, so that batches and the departures that flush them reach the bridge in order.
    private let send: @Sendable (EphemeralSignal) -> Void
    /// Rooms whose window is open, with the arrivals (presence JSON) that wait for its end.
    private let rooms = Mutex<[String: [JSONValue]]>([:])

    init(window: Duration, send: @escaping @Sendable (EphemeralSignal) -> Void) {
        self.window = window
        self.send = send
    }

    /// Announces `user` (a presence entry's JSON, with its `user_id`) to the room.
    func announce(sessionID: String, user: JSONValue) {
        let opened = self.rooms.withLock { rooms in
            guard self.window > .zero else {
                self.send(.arrivals(sessionID: sessionID, users: [user]))
                return false
            }
            guard rooms[sessionID] == nil else {
                rooms[sessionID]?.append(user)
                return false
            }
            rooms[sessionID] = []
            self.send(.arrivals(sessionID: sessionID, users: [user]))
            return true
        }
        if opened { self.closeWindow(of: sessionID) }
    }

    /// Sends what waits in the room now: a departure must not overtake the arrival it follows.
    func flush(sessionID: String) {
        self.rooms.withLock { _ = self.sendWaiting(sessionID: sessionID, in: &$0) }
    }

    /// Forgets a waiting arrival of a user who has left meanwhile (through another node, which flushed nothing here).
    func withdraw(userID: String, sessionID: String) {
        self.rooms.withLock { rooms in
            rooms[sessionID]?.removeAll { user in
                if case .object(let fields) = user, fields["user_id"] == .string(userID) { true } else { false }
            }
        }
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
    private func sendWaiting(sessionID: String, in rooms: inout [String: [JSONValue]]) -> Bool {
        guard let waiting = rooms[sessionID], !waiting.isEmpty else { return false }
        rooms[sessionID] = []
        self.send(.arrivals(sessionID: sessionID, users: waiting))
        return true
    }
}
