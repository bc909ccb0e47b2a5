import CCurl
import Foundation
import NIOPosix

/// A minimal HTTP client over libcurl's easy interface: one handle per request, everything in memory.
struct CurlClient: APIClient {
    let baseURL: String

    /// Sends a request from a thread of the client's own pool: libcurl blocks, and the test runner's cooperative
    /// pool has a thread per core, which a blocking request would take from every other test's clients and timers.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil) async throws -> HTTPResult {
        try await Self.threads.runIfActive { try self.perform(method, path, headers: headers, body: body) }
    }

    /// Enough threads for the requests of every test running in parallel, a slow answer among them.
    private static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    private func perform(_ method: String, _ path: String, headers: [String: String], body: Data?) throws -> HTTPResult {
        guard let handle = curl_easy_init() else { throw CurlError(message: "curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()

        curl_setopt_string(handle, CURLOPT_URL, self.baseURL + path)
        curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        // A HEAD answer has a Content-Length but no body; without NOBODY curl would wait for those bytes.
        if method == "HEAD" { curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
        curl_setopt_long(handle, CURLOPT_TIMEOUT, 30)
        curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, ResponseSink.collectBody)
        curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
        curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, ResponseSink.collectHeader)
        curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer)
        if let body {
            curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
                _ = curl_setopt_pointer(
                    handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        // Without this, curl sends "Expect: 100-continue" for large bodies and waits for the server's go-ahead.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }
        curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))

        let code = curl_easy_perform(handle)
        var status = 0
        curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        // A server may answer (413) and close before reading an oversized body: curl then reports a send error,
        // but the response it did read is the one to check.
        guard code == CURLE_OK || (status > 0 && code == CURLE_SEND_ERROR) else {
            throw CurlError(message: "\(method) \(path): \(String(cString: curl_easy_strerror(code)))")
        }
        return HTTPResult(status: status, headers: sink.headers, body: sink.body)
    }
}

struct CurlError: Error, CustomStringConvertible {
    let message: String
    var description: String { self.message }
}

/// Collects curl's callbacks; lives for one request on one thread.
private final class ResponseSink {
    var body = Data()
    var headers: [String: String] = [:]

    static let collectBody: curl_data_callback = { data, size, count, context in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        if let data { sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count) }
        return size * count
    }

    static let collectHeader: curl_data_callback = { data, size, count, context in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        guard let data else { return size * count }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
        if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            sink.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return size * count
    }
}
