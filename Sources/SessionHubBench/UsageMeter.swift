import Foundation

/// CPU and peak memory of every node under test, of PostgreSQL when it is the store, and of this program, from its
/// creation to `finish`.
final class UsageMeter: Sendable {
    private let servers: [ServerUnderTest]
    private let before: [ProcessUsage?]
    private let peaks: [PeakMemory]
    private let databaseBefore: Double?
    private let clientBefore: Double

    init(servers: [ServerUnderTest], storesInPostgres: Bool = false) {
        self.servers = servers
        self.before = servers.map { $0.usage() }
        self.peaks = servers.map(PeakMemory.init(server:))
        self.databaseBefore = storesInPostgres ? ProcessUsage.postgresCPUSeconds() : nil
        self.clientBefore = ProcessUsage.client()
    }

    convenience init(bench: Workbench) {
        self.init(servers: bench.servers, storesInPostgres: bench.storesInPostgres)
    }

    /// Adds the figures over `seconds`: `server_*` for the first node (the only one, or the publisher's), `node2_*`
    /// and on for the others.
    func finish(into result: inout WorkloadResult, seconds: Double) async {
        for (index, server) in self.servers.enumerated() {
            let peak = await self.peaks[index].stop()
            guard let after = server.usage(), let before = self.before[index] else { continue }
            let prefix = index == 0 ? "server" : "node\(index + 1)"
            result["\(prefix)_cpu_s"] = .number(after.cpuSeconds - before.cpuSeconds)
            result["\(prefix)_cpu_pct"] = .number((after.cpuSeconds - before.cpuSeconds) / seconds * 100)
            result["\(prefix)_peak_rss_mb"] = .number(Double(peak) / 1_048_576)
        }
        if let databaseBefore = self.databaseBefore {
            result["postgres_cpu_pct"] = .number((ProcessUsage.postgresCPUSeconds() - databaseBefore) / seconds * 100)
        }
        result["client_cpu_pct"] = .number((ProcessUsage.client() - self.clientBefore) / seconds * 100)
    }
}

extension ProcessUsage {
    /// Every `postgres` process of this machine (the server and its backends): the benchmark's PostgreSQL is the
    /// throwaway one `scripts/with-postgres` starts beside it.
    static func postgresCPUSeconds() -> Double {
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return processes.compactMap(Int32.init).reduce(0) { total, pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.contains("(postgres)") else { return total }
            return total + (ProcessUsage.of(pid: pid)?.cpuSeconds ?? 0)
        }
    }
}
