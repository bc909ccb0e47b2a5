import Synchronization
import WebSocketClient

/// One session, `subscribers` watching, `publishers` each keeping `window` chat messages unacknowledged: as fast as
/// the server stores and fans out, with every message persisted before its ack.
struct ThroughputWorkload: Sendable {
    let subscribers: Int
    let publishers: Int
    let window: Int
    let seconds: Double

    func run(on bench: Workbench) async throws -> WorkloadResult {
        let sessionID = try await bench.createSession(named: "throughput")
        let progress = Progress()
        let connections = try await concurrentMap(Array(1...self.subscribers), width: Workbench.connectWidth) { index in
            let receiver = Receiver(progress: progress)
            return (try await bench.webSocket(bench.users[index], sessionID: sessionID, receiver: receiver), receiver)
        }
        defer { Task { _ = try? await concurrentMap(connections, width: 256) { await $0.0.close() } } }
        _ = await wait(upTo: .seconds(60)) { progress.connected.load(ordering: .relaxed) == self.subscribers }

        let sequence = SequenceCounter()
        let publishers = try await concurrentMap(Array(0..<self.publishers), width: self.publishers) { _ in
            try await WindowedPublisher.connect(on: bench, sessionID: sessionID, sequence: sequence)
        }
        defer { Task { for publisher in publishers { await publisher.connection?.close() } } }

        let meter = UsageMeter(bench: bench)
        let start = ContinuousClock.now
        for publisher in publishers { publisher.start(window: self.window) }
        try await Task.sleep(for: .seconds(self.seconds))
        for publisher in publishers { publisher.stop() }
        let publishing = start.duration(to: .now).seconds
        _ = await wait(upTo: .seconds(10)) { publishers.allSatisfy(\.isDrained) }
        let sent = sequence.issued
        let expected = sent * self.subscribers
        _ = await wait(upTo: .seconds(10)) { progress.delivered.load(ordering: .relaxed) >= expected }
        let elapsed = start.duration(to: .now).seconds

        let tallies = connections.map { $0.1.result }
        var result = WorkloadResult(name: "throughput")
        result["subscribers"] = .int(self.subscribers)
        result["publishers"] = .int(self.publishers)
        result["window"] = .int(self.window)
        result["messages"] = .int(sent)
        result["messages_per_s"] = .number(Double(sent) / publishing)
        result["acks"] = .int(publishers.reduce(0) { $0 + $1.progress.acks.load(ordering: .relaxed) })
        result["refused"] = .int(publishers.reduce(0) { $0 + $1.progress.errors.load(ordering: .relaxed) })
        result.recordDeliveries(of: tallies, expected: expected, over: publishing)
        result["closed_early"] = .int(progress.closed.load(ordering: .relaxed))
        await meter.finish(into: &result, seconds: elapsed)
        return result
    }
}

/// Numbers probe messages across publishers, so every subscriber can tell each one apart.
final class SequenceCounter: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int { self.value.add(1, ordering: .relaxed).oldValue }
    var issued: Int { self.value.load(ordering: .relaxed) }
}

/// A publisher that sends its next message whenever one of its `window` outstanding ones is answered.
final class WindowedPublisher: Sendable {
    private struct State {
        var connection: WebSocketConnection?
        var outstanding = 0
        var running = false
    }

    let progress = Progress()
    private let sequence: SequenceCounter
    private let state = Mutex(State())

    private init(sequence: SequenceCounter) {
        self.sequence = sequence
    }

    static func connect(on bench: Workbench, sessionID: String, sequence: SequenceCounter) async throws -> WindowedPublisher {
        let publisher = WindowedPublisher(sequence: sequence)
        let receiver = Receiver(progress: publisher.progress) { [weak publisher] in publisher?.answered() }
        let connection = try await bench.webSocket(bench.owner, sessionID: sessionID, receiver: receiver)
        publisher.state.withLock { $0.connection = connection }
        _ = await wait(upTo: .seconds(30)) { publisher.progress.connected.load(ordering: .relaxed) == 1 }
        return publisher
    }

    var connection: WebSocketConnection? { self.state.withLock { $0.connection } }
    var isDrained: Bool { self.state.withLock { $0.outstanding == 0 } }

    func start(window: Int) {
        self.state.withLock { $0.running = true }
        for _ in 0..<window { self.sendNext() }
    }

    func stop() {
        self.state.withLock { $0.running = false }
    }

    private func answered() {
        let more = self.state.withLock { state -> Bool in
            state.outstanding -= 1
            return state.running
        }
        if more { self.sendNext() }
    }

    private func sendNext() {
        guard
            let connection = self.state.withLock({ state -> WebSocketConnection? in
                state.outstanding += 1
                return state.connection
            })
        else { return }
        // `ref` asks for the ack that opens the window again.
        let sequence = self.sequence.next()
        connection.send(#"{"type": "chat_message", "content": "\#(Receiver.probe(sequence: sequence))", "ref": \#(sequence)}"#)
    }
}
