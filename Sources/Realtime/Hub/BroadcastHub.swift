import Foundation
import Logging
import Metrics
import Models
import NIOCore
import ServiceLifecycle
import Synchronization

/// One per node: a room per session, fan-out of encoded frames to bounded subscriber queues, presence, and the
/// background work (token expiry, SSE heartbeats, stale presence, access re-checks).
///
/// Everything it fans out comes from the bridge: durable events in commit order, and ephemeral signals (cursor,
/// viewport, status) that may come from any node. Publishing never waits for a subscriber: a slow one only grows its
/// own bounded queue.
public final class BroadcastHub: Service, Sendable {
    let bridge: any HubBridge
    let sessions: SessionService
    let participants: ParticipantService
    let limits: RealtimeLimits
    let logger: Logger
    let presence = PresenceRegistry()
    /// The other nodes' presence, in a cluster; nil on one node.
    let cluster: (any ClusterPresence)?
    let counters = HubCounters()
    /// Announces passers-by's arrivals a window at a time: a connect storm must not cost a frame per pair of users.
    let arrivals: ArrivalBatcher
    private let rooms = Mutex<[String: [UInt64: Subscriber]]>([:])
    private let nextSubscriberID = Atomic<UInt64>(1)
    private let roleTickets = Atomic<UInt64>(0)
    /// Live connections per user, across sessions, for MAX_CONNECTIONS_PER_USER; and who waits for the last to go.
    private let connections = Mutex(OpenConnections())
    /// Inbound frames per user across all their connections: K sockets must not multiply a user's budget.
    let frameBudget: TokenBuckets

    public init(
        bridge: any HubBridge, cluster: (any ClusterPresence)? = nil, sessions: SessionService, participants: ParticipantService,
        limits: RealtimeLimits, logger: Logger
    ) {
        self.bridge = bridge
        self.cluster = cluster
        self.sessions = sessions
        self.participants = participants
        self.limits = limits
        self.logger = logger
        self.frameBudget = TokenBuckets(capacity: Double(limits.framesPerSecond) * 2, perSecond: Double(limits.framesPerSecond))
        self.arrivals = ArrivalBatcher(window: limits.arrivalWindow) { bridge.broadcast($0) }
    }

    /// Whether the user may open another live connection (checked again, atomically, when it subscribes).
    func hasRoomForAnotherConnection(of userID: String) -> Bool {
        self.connections.withLock { $0.byUser[userID, default: 0] < self.limits.maxConnectionsPerUser }
    }

    /// Joins the room; nil when the user already holds MAX_CONNECTIONS_PER_USER connections.
    func subscribe(sessionID: String, user: User, role: SessionRole?, transport: Subscriber.Transport, tokenExpiry: Date) -> Subscriber? {
        let admission = self.connections.withLock { connections -> (admitted: Bool, isClosing: Bool) in
            guard connections.byUser[user.id, default: 0] < self.limits.maxConnectionsPerUser else { return (false, false) }
            connections.byUser[user.id, default: 0] += 1
            return (true, connections.isClosing)
        }
        guard admission.admitted else { return nil }
        let subscriber = Subscriber(
            id: self.nextSubscriberID.add(1, ordering: .relaxed).oldValue,
            sessionID: sessionID,
            user: user,
            role: role,
            transport: transport,
            tokenExpiry: tokenExpiry,
            durableLimit: self.limits.subscriberQueueEvents
        )
        self.rooms.withLock { $0[sessionID, default: [:]][subscriber.id] = subscriber }
        // A connection that opens while the node shuts down is told so at once, like those open before.
        if admission.isClosing { subscriber.close(.shutdown) }
        return subscriber
    }

    /// Takes the subscriber out of its room; when it returns true, `departureRecorded` must follow once what its
    /// leaving writes is written.
    func unsubscribe(_ subscriber: Subscriber) -> Bool {
        let removed = self.rooms.withLock { rooms in
            let removed = rooms[subscriber.sessionID]?.removeValue(forKey: subscriber.id) != nil
            if rooms[subscriber.sessionID]?.isEmpty == true { rooms[subscriber.sessionID] = nil }
            return removed
        }
        guard removed else { return false }
        self.connections.withLock { connections in
            connections.byUser[subscriber.user.id, default: 1] -= 1
            if connections.byUser[subscriber.user.id] == 0 { connections.byUser[subscriber.user.id] = nil }
            connections.departing += 1
        }
        return true
    }

    /// An unsubscribed connection's departure is written (or failed): a shutdown waits for the last.
    func departureRecorded() {
        let noneLeft = self.connections.withLock { connections -> [CheckedContinuation<Void, Never>] in
            connections.departing -= 1
            guard connections.isEmpty else { return [] }
            defer { connections.whenNoneLeft = [] }
            return connections.whenNoneLeft
        }
        for waiter in noneLeft { waiter.resume() }
    }

    /// Closes every connection (`.shutdown`), and any that opens from now on, then returns once each was released and
    /// its departure written.
    /// WebSocket connections have no task of their own the server could wait for: the hub is what knows them.
    private func closeEveryConnection() async {
        self.connections.withLock { $0.isClosing = true }
        for subscriber in self.allSubscribers() { subscriber.close(.shutdown) }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let noneLeft = self.connections.withLock { connections in
                if !connections.isEmpty { connections.whenNoneLeft.append(waiter) }
                return connections.isEmpty
            }
            if noneLeft { waiter.resume() }
        }
    }

    /// Queues a frame for every subscriber of the room allowed to see it. Subscribers in direct delivery are then
    /// drained on their event loops, one task per loop for the whole room rather than one wake-up per subscriber.
    func deliver(_ frame: OutboundFrame, toSessionID sessionID: String) {
        let subscribers = self.rooms.withLock { $0[sessionID].map { Array($0.values) } ?? [] }
        var (queued, coalesced, dropped, overflowed) = (0, 0, 0, 0)
        var drains: [ObjectIdentifier: (loop: any EventLoop, subscribers: [Subscriber])] = [:]
        for subscriber in subscribers where frame.isVisible(to: subscriber.user.id) {
            let (result, sink) = subscriber.enqueue(frame)
            switch result {
            case .queued: queued += 1
            case .coalesced: coalesced += 1
            case .overflowed: overflowed += 1
            case .closed: dropped += 1
            }
            if let sink { drains[ObjectIdentifier(sink.eventLoop), default: (sink.eventLoop, [])].subscribers.append(subscriber) }
        }
        for (loop, subscribers) in drains.values { self.drain(subscribers, on: loop) }
        self.counters.add(.framesOut, queued)
        self.counters.add(.coalesced, coalesced)
        self.counters.add(.dropped, dropped)
        self.counters.add(.slowConsumerCloses, overflowed)
    }

    /// Writes out what the subscribers (all on `loop`) have queued.
    ///
    /// Delivery latency is sampled from the pass's last write, the slowest subscriber on this loop: a histogram
    /// record per frame per subscriber was work on the hot path that tells no more than the tail does.
    func drain(_ subscribers: [Subscriber], on loop: any EventLoop) {
        loop.execute {
            var lastWritten: [Subscriber.Outgoing] = []
            for subscriber in subscribers {
                let written = subscriber.drain()
                if !written.isEmpty { lastWritten = written }
            }
            self.recordLatency(of: lastWritten)
        }
    }

    private func recordLatency(of items: [Subscriber.Outgoing]) {
        guard !items.isEmpty else { return }
        let now = ContinuousClock.now
        for case .frame(let frame) in items { self.counters.deliveryLatency.record(duration: frame.createdAt.duration(to: now)) }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            let (changes, changed) = AsyncStream.makeStream(of: AccessChange.self)
            await withDiscardingTaskGroup { group in
                group.addTask { await self.maintainUntilCancelled() }
                if let cluster = self.cluster { group.addTask { await self.heartbeatUntilCancelled(cluster) } }
                // Re-checks read the store; the fan-out of later events does not wait for them.
                group.addTask { await self.recheckAccess(after: changes) }
                for await delivery in self.bridge.deliveries {
                    switch delivery {
                    case .event(let event):
                        self.counters.add(.eventsPublished)
                        self.suspendRoleIfChanged(by: event)
                        self.deliver(OutboundFrame(event: event), toSessionID: event.sessionID)
                    case .accessChanged(let change): changed.yield(change)
                    case .ephemeral(let signal):
                        // A departure announced by another node: this node must not announce the arrival after it.
                        if signal.kind == .userLeft, case .string(let userID)? = signal.fields["user_id"] {
                            self.arrivals.withdraw(userID: userID, sessionID: signal.sessionID)
                        }
                        self.deliver(signal.frame, toSessionID: signal.sessionID)
                    }
                }
                changed.finish()
                // Their departures still write to the store, which outlives the hub.
                await self.closeEveryConnection()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            // Ends the loop above, which then closes every connection.
            self.bridge.finish()
        }
    }

    /// A participant's new role reaches the hub as this event, before the service asks for a re-check: until that
    /// re-check is done, their connections' frames are authorized against the store, so a client that reacts to the
    /// event cannot act with the old role.
    private func suspendRoleIfChanged(by event: SessionEvent) {
        guard event.type == .participantUpdated, case .string(let userID)? = event.payload["user_id"] else { return }
        let affected = self.rooms.withLock { $0[event.sessionID].map { $0.values.filter { $0.user.id == userID } } ?? [] }
        let ticket = self.takeRoleTicket()
        for subscriber in affected { subscriber.applyRole(nil, ticket: ticket) }
    }

    private struct OpenConnections {
        var byUser: [String: Int] = [:]
        /// Unsubscribed, their departure not yet written.
        var departing = 0
        var isClosing = false
        var whenNoneLeft: [CheckedContinuation<Void, Never>] = []

        var isEmpty: Bool { self.byUser.isEmpty && self.departing == 0 }
    }

    private func allSubscribers() -> [Subscriber] {
        self.rooms.withLock { $0.values.flatMap(\.values) }
    }

    /// Orders role checks: each takes a ticket before it reads the store, and a subscriber keeps the newest.
    private func takeRoleTicket() -> UInt64 {
        self.roleTickets.add(1, ordering: .relaxed).newValue
    }

    /// Reads the user's role now and applies it (unless a newer check got there first); a connection that has no
    /// access any more is closed (4403). Returns the role read: a newer check may since have suspended the
    /// subscriber's, but what was read is still the user's standing.
    @discardableResult
    func refreshRole(of subscriber: Subscriber) async throws -> SessionRole? {
        try await self.refreshRole(of: [subscriber], sessionID: subscriber.sessionID, userID: subscriber.user.id)
    }

    /// One read for every connection of one user in one session.
    @discardableResult
    private func refreshRole(of subscribers: [Subscriber], sessionID: String, userID: String) async throws -> SessionRole? {
        let ticket = self.takeRoleTicket()
        let role = try await self.sessions.role(of: userID, inSessionID: sessionID)
        var applied = false
        for subscriber in subscribers where subscriber.applyRole(role, ticket: ticket) {
            applied = true
            if role == nil { subscriber.close(.accessLost) }
        }
        // Presence shows the newest role too: an older read must not overwrite what others see.
        if applied, let role { self.presence.setRole(role, sessionID: sessionID, userID: userID) }
        return role
    }

    /// How many access changes are re-checked at once: one user's change must not make the hub read the store for
    /// every connection at the same time.
    static let concurrentRechecks = 4

    private func recheckAccess(after changes: AsyncStream<AccessChange>) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await change in changes {
                if running == Self.concurrentRechecks {
                    await group.next()
                    running -= 1
                }
                group.addTask { await self.recheckAccess(after: change) }
                running += 1
            }
        }
    }

    /// Closes connections that lost access (4403), whose session is gone (4404) or whose user's password changed
    /// (4401); keeps roles current for the rest.
    func recheckAccess(after change: AccessChange) async {
        let targets: [Subscriber] = self.rooms.withLock { rooms in
            switch change {
            case .session(let id), .sessionDeleted(let id): rooms[id].map { Array($0.values) } ?? []
            case .user(let userID), .credentialsChanged(let userID): rooms.values.flatMap { $0.values.filter { $0.user.id == userID } }
            case .team(_, let sessionIDs): sessionIDs.flatMap { rooms[$0].map { Array($0.values) } ?? [] }
            case .anyMissed: rooms.values.flatMap(\.values)
            }
        }
        switch change {
        case .sessionDeleted:
            for subscriber in targets { subscriber.close(.sessionDeleted) }
            return
        case .credentialsChanged:
            for subscriber in targets { subscriber.close(.credentialsChanged) }
            return
        case .session, .user, .team, .anyMissed:
            break
        }
        let byUser = Dictionary(grouping: targets) { "\($0.sessionID)/\($0.user.id)" }
        for subscribers in byUser.values {
            guard let first = subscribers.first else { continue }
            do {
                try await self.refreshRole(of: subscribers, sessionID: first.sessionID, userID: first.user.id)
            } catch {
                // Keep the connection: a failed check is not a lost permission. The next change checks again.
                self.logger.warning("access re-check failed", metadata: ["error": .string(String(describing: error))])
            }
        }
    }

    /// Once a second: close connections whose token expired, send SSE heartbeats and WebSocket pings, expire silent
    /// presence.
    private func maintainUntilCancelled() async {
        var lastHeartbeat = ContinuousClock.now
        var lastPing = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let now = Date()
            let subscribers = self.allSubscribers()
            for subscriber in subscribers where subscriber.tokenExpiry <= now { subscriber.close(.tokenExpired) }
            // A connection that was over its high-water mark at its last drain gets another chance.
            for subscriber in subscribers {
                if let sink = subscriber.stalledSink() { self.drain([subscriber], on: sink.eventLoop) }
            }
            if lastHeartbeat.duration(to: .now) >= .seconds(self.limits.sseHeartbeatSeconds) {
                lastHeartbeat = .now
                self.sendHeartbeats(to: subscribers.filter { $0.transport == .sse })
            }
            // A WebSocket's heartbeat is a ping: a peer that has not answered the last one by the next is cut off.
            if lastPing.duration(to: .now) >= RealtimeLimits.webSocketPingInterval {
                lastPing = .now
                self.sendHeartbeats(to: subscribers.filter { $0.transport == .webSocket })
            }
            let cutoff = now.addingTimeInterval(-TimeInterval(self.limits.presenceStaleSeconds))
            for (sessionID, userID, username) in self.presence.expire(silentSince: cutoff) {
                try? await self.announceDeparture(sessionID: sessionID, userID: userID, username: username)
            }
        }
    }

    private func sendHeartbeats(to subscribers: [Subscriber]) {
        for subscriber in subscribers {
            if let sink = subscriber.enqueueHeartbeat() { self.drain([subscriber], on: sink.eventLoop) }
        }
    }

    /// Says this node is alive every second, and announces the users of nodes that stopped as left.
    private func heartbeatUntilCancelled(_ cluster: any ClusterPresence) async {
        while !Task.isCancelled {
            do {
                let beat = try await cluster.heartbeat(present: self.presence.all())
                // The others took this node for dead and announced its users as left: they are back.
                if beat.rejoined {
                    for entry in self.presence.all() { try await self.announceArrival(sessionID: entry.sessionID, snapshot: entry.snapshot) }
                }
                for gone in beat.departed {
                    try await self.recordDeparture(sessionID: gone.sessionID, userID: gone.snapshot.userID, username: gone.snapshot.username)
                }
            } catch {
                self.logger.warning("cluster heartbeat failed", metadata: ["error": .string(String(reflecting: error))])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// `user_joined` for a user's first connection (or return from staleness) in the cluster: logged for participants
    /// (the store publishes it), live only for anyone else, so passers-by of a public session leave nothing in its log.
    /// Never sent to the user themselves (their `connected` already says who they are), unless several arrive at once
    /// (`users_joined`, see `ArrivalBatcher`).
    func announceArrival(sessionID: String, snapshot: PresenceSnapshot) async throws {
        if let cluster = self.cluster {
            let userID = snapshot.userID
            let isFirst = try await cluster.arrive(sessionID: sessionID, as: snapshot) {
                self.presence.isPresent(sessionID: sessionID, userID: userID)
            }
            guard isFirst else { return }
        }
        let user = snapshot.json
        guard try await self.participants.recordJoin(sessionID: sessionID, userID: snapshot.userID, user: user) == nil else { return }
        self.arrivals.announce(sessionID: sessionID, user: user)
    }

    /// A presence change (cursor, viewport, status) of a user: arrivals waiting in the room go out first, so nobody
    /// hears of a user's change before hearing of the user.
    func broadcast(_ signal: EphemeralSignal) {
        self.arrivals.flush(sessionID: signal.sessionID)
        self.bridge.broadcast(signal)
    }

    /// `user_left` for a user's last connection in the cluster, logged or live as `announceArrival` decides.
    func announceDeparture(sessionID: String, userID: String, username: String) async throws {
        if let cluster = self.cluster {
            let isLast = try await cluster.depart(sessionID: sessionID, userID: userID) {
                !self.presence.isPresent(sessionID: sessionID, userID: userID)
            }
            guard isLast else { return }
        }
        try await self.recordDeparture(sessionID: sessionID, userID: userID, username: username)
    }

    private func recordDeparture(sessionID: String, userID: String, username: String) async throws {
        self.arrivals.flush(sessionID: sessionID)
        guard try await self.participants.recordLeave(sessionID: sessionID, userID: userID, username: username) == nil else { return }
        let fields: [String: JSONValue] = ["user_id": .string(userID), "username": .string(username)]
        self.bridge.broadcast(EphemeralSignal(sessionID: sessionID, kind: .userLeft, fields: fields))
    }

    /// Who is present in the session on every node, by username.
    func presentUsers(sessionID: String) async throws -> [PresenceSnapshot] {
        let here = self.presence.users(sessionID: sessionID)
        guard let cluster = self.cluster else { return here }
        return PresenceSnapshot.merged(here + (try await cluster.others(sessionID: sessionID)))
    }

    /// `presentUsers` as `connected` lists them. One node's come from the registry's cache; a cluster's are merged
    /// across nodes first, so they are rendered each time.
    func renderedPresentUsers(sessionID: String) async throws -> [RenderedPresence] {
        guard self.cluster != nil else { return self.presence.renderedUsers(sessionID: sessionID) }
        return try await self.presentUsers(sessionID: sessionID).map(RenderedPresence.init)
    }

    /// This node's statistics, with the cluster's in a cluster.
    public func statisticsWithCluster() async throws -> HubStatistics {
        var statistics = self.statistics()
        statistics.cluster = try await self.cluster?.statistics()
        return statistics
    }

    public func statistics() -> HubStatistics {
        let sizes = self.rooms.withLock { $0.values.map { Array($0.values) } }
        let all = sizes.flatMap { $0 }
        let websockets = all.count { $0.transport == .webSocket }
        let counts = sizes.map(\.count)
        return HubStatistics(
            connections: .init(websocket: websockets, sse: all.count - websockets, total: all.count),
            subscribersPerRoom: .init(
                rooms: counts.count,
                largest: counts.max() ?? 0,
                mean: counts.isEmpty ? 0 : Double(all.count) / Double(counts.count)
            ),
            messagesIn: self.counters.messagesIn.load(ordering: .relaxed),
            framesOut: self.counters.framesOut.load(ordering: .relaxed),
            coalesced: self.counters.coalesced.load(ordering: .relaxed),
            dropped: self.counters.dropped.load(ordering: .relaxed),
            slowConsumerCloses: self.counters.slowConsumerCloses.load(ordering: .relaxed),
            floodCloses: self.counters.floodCloses.load(ordering: .relaxed),
            rateLimited: self.counters.rateLimited.load(ordering: .relaxed),
            presence: Dictionary(uniqueKeysWithValues: self.presence.countsByStatus().map { ($0.key.rawValue, $0.value) })
        )
    }
}
