import CCurl
import Foundation
import Synchronization

/// One event of an SSE stream as a client parses it.
struct ReceivedEvent {
    let id: Int64?
    let event: String?
    let data: String

    var json: [String: Any] { FrameLog.parse(self.data) ?? [:] }
}

/// An SSE subscription over libcurl, read on its own thread until closed; events are parsed from the raw bytes.
final class SSEStream: Sendable {
    private let raw = Mutex(Data())
    private let status = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let taken = Mutex(Set<Int>())

    init(url: String, headers: [String: String] = [:]) {
        Thread.detachNewThread { self.perform(url: url, headers: headers) }
    }

    private func perform(url: String, headers: [String: String]) {
        guard let handle = curl_easy_init() else { return }
        defer {
            curl_easy_cleanup(handle)
            self.finished.store(true, ordering: .sequentiallyConsistent)
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        curl_setopt_string(handle, CURLOPT_URL, url)
        curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, Self.collect)
        curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        defer { curl_slist_free_all(headerList) }
        curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
        _ = curl_easy_perform(handle)
        var code = 0
        curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        self.status.store(code, ordering: .sequentiallyConsistent)
    }

    private static let collect: curl_data_callback = { data, size, count, context in
        let stream = Unmanaged<SSEStream>.fromOpaque(context!).takeUnretainedValue()
        // Returning less than given makes curl abort the transfer: how a client hangs up.
        if stream.stopped.load(ordering: .sequentiallyConsistent) { return 0 }
        if let data { stream.raw.withLock { $0.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count) } }
        return size * count
    }

    var text: String { self.raw.withLock { String(decoding: $0, as: UTF8.self) } }
    var isFinished: Bool { self.finished.load(ordering: .sequentiallyConsistent) }

    /// Every complete event so far (comments and `retry:`-only blocks are not events).
    var events: [ReceivedEvent] {
        let blocks = self.text.components(separatedBy: "\n\n").dropLast()
        return blocks.compactMap { block in
            var (id, event, data): (Int64?, String?, [String]) = (nil, nil, [])
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : ReceivedEvent(id: id, event: event, data: data.joined(separator: "\n"))
        }
    }

    /// Waits for the first event not yet taken that matches; earlier ones stay for later calls.
    func next(
        event type: String? = nil, timeout: Duration = .seconds(10), where matches: (ReceivedEvent) -> Bool = { _ in true }
    )
        async throws -> ReceivedEvent
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let events = self.events
            let found = self.taken.withLock { taken -> ReceivedEvent? in
                guard
                    let index = events.indices.first(where: {
                        !taken.contains($0) && (type == nil || events[$0].event == type) && matches(events[$0])
                    })
                else { return nil }
                taken.insert(index)
                return events[index]
            }
            if let found {
                FrameRecorder.shared.record(found.data)
                return found
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CurlError(message: "no matching SSE event within \(timeout); stream so far:\n\(self.text)")
    }

    /// Hangs up at the next bytes the server sends (at the latest its heartbeat).
    func close() {
        self.stopped.store(true, ordering: .sequentiallyConsistent)
    }
}
