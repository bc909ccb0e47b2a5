import Foundation
import Logging
import Models
import NIOCore
import ServiceLifecycle

/// What both transports share: opening a connection (access, presence, `connected`), the outbound pump (replay then
/// live, no gap, no duplicate), and performing client messages through the same domain services as REST.
public struct CollaborationGateway: Sendable {
    let hub: BroadcastHub
    let sessions: SessionService
    let messages: MessageService
    let participants: ParticipantService
    let authenticator: any RealtimeAuthenticator

    /// Events read from the log per page when a subscriber resumes.
    static let replayPageSize = 200

    public init(
        hub: BroadcastHub, sessions: SessionService, messages: MessageService, participants: ParticipantService,
        authenticator: any RealtimeAuthenticator
    ) {
        self.hub = hub
        self.sessions = sessions
        self.messages = messages
        self.participants = participants
        self.authenticator = authenticator
    }

    var limits: RealtimeLimits { self.hub.limits }

    /// WS_MAX_MESSAGE_BYTES: the largest client message either transport takes.
    var maxMessageBytes: Int { self.limits.maxMessageBytes }

    /// The session a live connection asks for, as the user may see it; `DomainError.notFound` when they may not.
    func session(id: String, for identity: RealtimeIdentity) async throws -> CodingSession {
        try await self.sessions.session(id: id, for: identity.user)
    }

    /// Throws `.tooManyConnections` when the user may not open another live connection (checked again, atomically,
    /// when it subscribes).
    func requireRoomForAnotherConnection(of identity: RealtimeIdentity) throws(DomainError) {
        guard self.hub.hasRoomForAnotherConnection(of: identity.user.id) else {
            throw .tooManyConnections(limit: self.limits.maxConnectionsPerUser)
        }
    }

    /// Opens a live connection to a session the user may see, runs `serve` (the transport's reading and writing) with
    /// it, and on every way out ends the subscription and the user's presence (`user_left` for their last
    /// connection). A connection whose client stalls after the hub closed it is cut off from `channel`.
    ///
    /// Throws before `serve` runs when the connection cannot open, as `open` does.
    func withLiveConnection<Result>(
        to session: CodingSession, identity: RealtimeIdentity, transport: Subscriber.Transport, since: Int64?, channel: any Channel,
        _ serve: (LiveConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await self.open(to: session, identity: identity, transport: transport, since: since)
        let cutOff = StalledClientCutOff(channel: channel, after: Self.closeGracePeriod)
        connection.subscriber.whenClosed { cutOff.arm() }
        do {
            let result = try await serve(connection)
            // The transport finished by itself: an SSE connection may carry further requests, so it must stay open
            // however long the departure's write takes.
            cutOff.disarm()
            await self.release(connection.subscriber)
            return result
        } catch {
            cutOff.disarm()
            await self.release(connection.subscriber)
            throw error
        }
    }

    /// The subscriber joins the room before the newest id is read, so an event committed meanwhile is either at or
    /// below that id (replayable) or queued live: nothing falls between. Its role is read again once it is in the
    /// room: a removal committed between the route's check and the join would otherwise leave it connected.
    ///
    /// Throws when the connection cannot open: `DomainError.notFound` (the session went away, or the user's access),
    /// `.tooManyConnections`, or a store failure. Whoever opens it must `release` it.
    func open(
        to session: CodingSession, identity: RealtimeIdentity, transport: Subscriber.Transport, since: Int64?
    ) async throws
        -> LiveConnection
    {
        guard
            let subscriber = self.hub.subscribe(
                sessionID: session.id, user: identity.user, role: session.role, transport: transport, tokenExpiry: identity.expiresAt
            )
        else { throw DomainError.tooManyConnections(limit: self.limits.maxConnectionsPerUser) }
        do {
            guard let role = try await self.hub.refreshRole(of: subscriber) else { throw DomainError.notFound("Session not found") }
            let head = try await self.sessions.latestEventID(sessionID: session.id)
            let (me, arrived) = self.hub.presence.attach(sessionID: session.id, user: identity.user, role: role, connectionID: subscriber.id)
            if arrived { try await self.hub.announceArrival(sessionID: session.id, snapshot: me.snapshot) }
            let users = try await self.hub.renderedPresentUsers(sessionID: session.id)
            let connected = OutboundFrame.ephemeral(
                "connected",
                sessionID: session.id,
                fields: [
                    "user": me.snapshot.json, "role": .string(role.rawValue), "your_role": .string(role.rawValue),
                    "last_event_id": .number(Double(head)),
                ],
                // `users`, `participants` (the seed's welcome message: who is here, in its shape) and `presence`.
                splicing: users.connectedMembers,
                // It lists everyone present, so it is large in a large room: framed only for the transport that sends it.
                framedForSSE: transport == .sse
            )
            return LiveConnection(subscriber: subscriber, connected: OneShot(connected), startAfter: since ?? head, isResuming: since != nil)
        } catch {
            await self.release(subscriber)
            throw error
        }
    }

    /// Ends a connection's place in the room and the user's presence (`user_left` for their last connection).
    func release(_ subscriber: Subscriber) async {
        guard self.hub.unsubscribe(subscriber) else { return }
        defer { self.hub.departureRecorded() }
        if self.hub.presence.detach(sessionID: subscriber.sessionID, userID: subscriber.user.id, connectionID: subscriber.id) {
            do {
                try await self.hub.announceDeparture(
                    sessionID: subscriber.sessionID, userID: subscriber.user.id, username: subscriber.user.username)
            } catch {
                // The connection is gone either way; its participant record stays active until the next arrival.
                self.hub.logger.warning("recording a departure failed", metadata: ["error": .string(String(reflecting: error))])
            }
        }
    }

    /// How long a client has to take the hub's closing frames before its connection is cut.
    static let closeGracePeriod: Duration = .seconds(2)

    /// Who is present in a session the user may see (status, cursor, viewport), or with `file` who is looking at it.
    func presence(sessionID: String, for user: User, viewing file: String?) async throws -> [JSONValue] {
        let session = try await self.sessions.authorize(.observe, sessionID: sessionID, user: user)
        let users = try await self.hub.presentUsers(sessionID: session.id)
        guard let file else { return users.map(\.json) }
        return users.filter { $0.isViewing(file: file) }.map(\.json)
    }

    /// Writes `connected`, then the missed durable events from the log, into `sink` from this task; then hands the
    /// subscriber over to direct delivery: the hub writes live events into `sink` on the connection's event loop,
    /// skipping ids already sent. Returns `.accessLost` when the user lost the permission during replay.
    func sendBacklog(of connection: LiveConnection, into sink: any DirectSink) async throws -> Subscriber.CloseReason? {
        if let connected = connection.connected.take() { try await sink.send([connected]) }
        var lastSent = connection.startAfter
        if connection.isResuming {
            do {
                var page: Page<SessionEvent>
                repeat {
                    page = try await self.sessions.events(
                        sessionID: connection.sessionID,
                        type: nil,
                        for: connection.user,
                        page: PageRequest(limit: Self.replayPageSize, cursor: PageCursor(key: nil, id: String(lastSent)))
                    )
                    lastSent = page.items.last?.id ?? lastSent
                    // The log leaves out what this user may not read (others' direct messages).
                    if !page.items.isEmpty { try await sink.send(page.items.map(OutboundFrame.init(event:))) }
                } while page.nextCursor != nil
            } catch DomainError.notFound {
                return .accessLost
            }
        }
        if connection.subscriber.handOver(to: sink, lastSent: lastSent) != nil {
            self.hub.drain([connection.subscriber], on: sink.eventLoop)
        }
        return nil
    }

    /// Sends the backlog (`sendBacklog`) and returns when the hub ends the subscription. A lost permission during
    /// replay ends it as `.accessLost`.
    ///
    /// At shutdown the server waits for open responses before the hub hears of it, so each pump ends itself then.
    func pump(_ connection: LiveConnection, into sink: any DirectSink) async throws -> Subscriber.CloseReason {
        try await withGracefulShutdownHandler {
            try await self.deliver(connection, into: sink)
        } onGracefulShutdown: {
            connection.subscriber.close(.shutdown)
        }
    }

    private func deliver(_ connection: LiveConnection, into sink: any DirectSink) async throws -> Subscriber.CloseReason {
        if let lost = try await self.sendBacklog(of: connection, into: sink) { return lost }
        await connection.subscriber.waitUntilClosed()
        // Also reached when this task is cancelled (the connection is going away): that ends the subscription too.
        connection.subscriber.close(.shutdown)
        return connection.subscriber.closeReason ?? .shutdown
    }
}
