import Foundation
import NIOCore
import NIOEmbedded
import Testing

@testable import HTTPKernel

/// The raw-byte guard before HTTP parsing: how it reads a head's framing, and when a slow head is cut off.
@Suite("Connection guard")
struct ConnectionGuardHandlerTests {
    static func framing(_ head: String) -> HeadFraming { HeadFraming(head: Array(head.utf8)) }

    @Test func framingHeadersAreReadWhateverTheirCase() {
        #expect(Self.framing("GET /ws HTTP/1.1\r\nHost: a\r\nUPGRADE:  WebSocket \r\nConnection: Upgrade\r\n\r\n") == .webSocketUpgrade)
        #expect(Self.framing("POST /x HTTP/1.1\r\ntransfer-Encoding: gzip, Chunked\r\n\r\n") == .chunked)
        #expect(Self.framing("POST /x HTTP/1.1\r\nContent-Length:\t42 \r\n\r\n") == .length(42))
        #expect(Self.framing("GET /health HTTP/1.1\r\nHost: a\r\n\r\n") == HeadFraming.none)
        #expect(Self.framing("GET /content-length:5 HTTP/1.1\r\nX-Content-Length: 9\r\nUpgrade: h2c\r\n\r\n") == HeadFraming.none)
        #expect(Self.framing("POST /x HTTP/1.1\r\nContent-Length: many\r\n\r\n") == HeadFraming.none)
        // A head with a body is not an upgrade, whatever it says: the body must still be followed and timed.
        #expect(Self.framing("POST /x HTTP/1.1\r\nUpgrade: WebSocket\r\nContent-Length: 100\r\n\r\n") == .length(100))
        #expect(Self.framing("POST /x HTTP/1.1\r\nUpgrade: websocket\r\nTransfer-Encoding: chunked\r\n\r\n") == .chunked)
    }

    static func connection() throws -> EmbeddedChannel {
        let handler = ConnectionGuardHandler(
            census: .init(limit: 10), idleTimeout: .seconds(60), headerTimeout: .seconds(10), bodyTimeout: .seconds(20))
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static func send(_ text: String, to channel: EmbeddedChannel) throws {
        try channel.writeInbound(ByteBuffer(string: text))
        _ = try channel.readInbound(as: ByteBuffer.self)
    }

    @Test func aHeadThatSpansReadsIsTimedFromItsFirstByte() throws {
        let channel = try Self.connection()
        try Self.send("GET /health HTTP/1.1\r\n", to: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        try Self.send("Host: a\r\n", to: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        let answer = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: answer).hasPrefix("HTTP/1.1 408 Request Timeout"))
    }

    @Test func headsAndBodiesThatEndInTimeAreNeverCutOff() throws {
        let channel = try Self.connection()
        try Self.send("GET /health HTTP/1.1\r\nHost: a\r\n\r\n", to: channel)
        try Self.send("POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\nbo", to: channel)
        try Self.send("dy", to: channel)
        try Self.send("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n", to: channel)
        try Self.send("GET /health HTTP/1.1\r\n", to: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        try Self.send("Host: a\r\n\r\n", to: channel)
        // Past every timeout: once a request is in, the handler may take its time, and idleness between requests is
        // the HTTP layer's to judge.
        channel.embeddedEventLoop.advanceTime(by: .hours(1))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(channel.isActive)
    }

    @Test func aBodyMustArriveWithinItsTimeoutOfTheHeadsEnd() throws {
        let channel = try Self.connection()
        try Self.send("POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345", to: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(19))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        try Self.send("678", to: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        let answer = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: answer).hasPrefix("HTTP/1.1 408 Request Timeout"))
        #expect(String(buffer: answer).contains("body took too long"))
    }

    /// The guard answers before any route or middleware runs; its refusals still carry what every response does.
    @Test func itsRefusalsCarryTheHeadersEveryResponseDoes() throws {
        let channel = try Self.connection()
        try Self.send("POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345", to: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        let head = String(buffer: try #require(try channel.readOutbound(as: ByteBuffer.self))).components(separatedBy: "\r\n\r\n")[0]
        let fields = Set(head.split(separator: "\r\n").dropFirst().map(String.init))
        #expect(fields.isSuperset(of: ["X-Content-Type-Options: nosniff", "Referrer-Policy: no-referrer", "Cache-Control: no-store"]), "\(head)")
    }
}
