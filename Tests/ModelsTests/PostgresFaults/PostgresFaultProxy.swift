import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy in front of PostgreSQL that cuts one connection at the worst moment, on purpose: what a network failure
/// or a restarted proxy does by chance.
final class PostgresFaultProxy: Sendable {
    enum Fault: Sendable {
        /// The next transaction running a statement that contains this text commits, and its connection drops before
        /// the answer to COMMIT arrives: it committed, and its client cannot know.
        case commitAnswerLost(after: String)
        /// The next statement containing this text never reaches the server: its connection drops as it is sent.
        case statementLost(containing: String)
    }

    private struct State {
        var armed: Fault?
        var cuts = 0
    }

    private let listener: any Channel
    private let state = Mutex(State())

    private init(listener: any Channel) {
        self.listener = listener
    }

    /// Listens on a loopback port and relays each connection to `host:port`.
    static func start(relayingTo host: String, port: Int) async throws -> PostgresFaultProxy {
        let proxy = Mutex<PostgresFaultProxy?>(nil)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { client in
                ClientBootstrap(group: client.eventLoop).connect(host: host, port: port).flatMapThrowing { server in
                    guard let proxy = proxy.withLock({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                    let link = NIOLoopBoundBox(RelayLink(), eventLoop: client.eventLoop)
                    try client.pipeline.syncOperations.addHandler(Relay(peer: server, towardsServer: true, link: link, proxy: proxy))
                    try server.pipeline.syncOperations.addHandler(Relay(peer: client, towardsServer: false, link: link, proxy: proxy))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let started = PostgresFaultProxy(listener: listener)
        proxy.withLock { $0 = started }
        return started
    }

    /// A proxy in front of the test database, with that database's URL.
    static func startForTestDatabase() async throws -> (url: String, proxy: PostgresFaultProxy) {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], let components = URLComponents(string: url),
            let host = components.host
        else { throw MissingTestDatabase() }
        return (url, try await self.start(relayingTo: host, port: components.port ?? 5432))
    }

    /// `url` (postgres://...) with this proxy as its host and port.
    func relaying(_ url: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw URLError(.badURL) }
        components.host = "127.0.0.1"
        components.port = self.port
        guard let relayed = components.string else { throw URLError(.badURL) }
        return relayed
    }

    var port: Int { self.listener.localAddress?.port ?? 0 }

    /// How many connections were cut.
    var cuts: Int { self.state.withLock { $0.cuts } }

    /// Arms one fault: the first connection to meet it is cut, then the proxy relays faithfully again.
    func arm(_ fault: Fault) {
        self.state.withLock { $0.armed = fault }
    }

    func stop() async {
        try? await self.listener.close()
    }

    /// What a connection that just sent `bytes` (having sent a marked statement before, or not) must do.
    fileprivate func inspect(_ bytes: String, sawMarker: Bool) -> (sawMarker: Bool, action: RelayLink.Cut?) {
        self.state.withLock { state in
            switch state.armed {
            case .statementLost(let text) where bytes.contains(text):
                state.armed = nil
                state.cuts += 1
                return (sawMarker, .now)
            case .commitAnswerLost(let marker):
                let marked = sawMarker || bytes.contains(marker)
                // The statement is in the Parse message as text; PostgreSQL answers COMMIT once it is durable.
                guard marked, bytes.contains("COMMIT") else { return (marked, nil) }
                state.armed = nil
                state.cuts += 1
                return (marked, .onAnswer)
            default:
                return (sawMarker, nil)
            }
        }
    }
}

/// What one relayed connection has sent so far.
private struct RelayLink {
    enum Cut { case now, onAnswer }
    var sawMarker = false
    var cut: Cut?
}

private final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let peer: any Channel
    let towardsServer: Bool
    let link: NIOLoopBoundBox<RelayLink>
    let proxy: PostgresFaultProxy

    init(peer: any Channel, towardsServer: Bool, link: NIOLoopBoundBox<RelayLink>, proxy: PostgresFaultProxy) {
        self.peer = peer
        self.towardsServer = towardsServer
        self.link = link
        self.proxy = proxy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = self.unwrapInboundIn(data)
        if self.towardsServer {
            let (sawMarker, cut) = self.proxy.inspect(String(decoding: bytes.readableBytesView, as: UTF8.self), sawMarker: self.link.value.sawMarker)
            self.link.value.sawMarker = sawMarker
            if let cut { self.link.value.cut = cut }
        }
        let cutNow = self.link.value.cut == .now || (!self.towardsServer && self.link.value.cut == .onAnswer)
        guard !cutNow else {
            context.close(promise: nil)
            self.peer.close(promise: nil)
            return
        }
        self.peer.writeAndFlush(bytes, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.peer.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
