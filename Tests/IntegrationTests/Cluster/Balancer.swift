import Foundation
import Testing

/// nginx in front of the nodes, with `deploy/nginx.conf`: the configuration `scripts/cluster` runs and docs/deploy.md
/// prints.
final class Balancer: Sendable {
    let port: Int
    let process: Process
    let prefix: URL

    var client: CurlClient { CurlClient(baseURL: "http://127.0.0.1:\(self.port)") }

    init(nodes: [ServerProcess], sticky: Bool = false) async throws {
        self.prefix = try ServerProcess.makeFolder()
        self.port = try Self.freePort()
        let template = try String(
            contentsOf: HTTPFoundationTests.repositoryRoot.appendingPathComponent("deploy/nginx.conf"), encoding: .utf8)
        let configuration =
            template
            .replacingOccurrences(of: "@PREFIX@", with: self.prefix.path)
            .replacingOccurrences(of: "@PORT@", with: "127.0.0.1:\(self.port)")
            .replacingOccurrences(of: "@BALANCE@", with: sticky ? "ip_hash;" : "")
            .replacingOccurrences(
                of: "@UPSTREAMS@", with: nodes.map { "server 127.0.0.1:\($0.port) max_fails=1 fail_timeout=5s;" }.joined(separator: "\n"))
        let file = self.prefix.appendingPathComponent("nginx.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        self.process = Process()
        self.process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        self.process.arguments = ["-p", self.prefix.path, "-c", file.path, "-e", self.prefix.appendingPathComponent("error.log").path]
        self.process.standardOutput = FileHandle.nullDevice
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        let client = self.client
        _ = try await eventually(within: .seconds(10)) {
            guard self.process.isRunning else { throw CurlError(message: "nginx ended: \(self.errorLog)") }
            return (try? await client.get("/health"))?.status == 200 ? true : nil
        }
    }

    var errorLog: String {
        (try? String(contentsOf: self.prefix.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
    }

    func stop() async {
        self.process.terminate()
        _ = await ServerProcess.waitForExit(of: self.process, within: .seconds(10))
    }

    /// A port nobody listens on now (the kernel's pick, released for nginx to take).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CurlError(message: "no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
