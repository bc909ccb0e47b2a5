/// Command-line options; `--quick` shrinks every workload to a few seconds (the test suite's smoke run).
struct BenchOptions: Sendable {
    static let allWorkloads = ["fanout", "throughput", "mixed", "idle", "rest"]
    /// Too long for the default run: asked for by name.
    static let soak = "soak"
    /// What `--nchan` can run: nchan persists nothing and has no REST.
    static let referenceWorkloads = ["fanout", "idle"]

    var server = ".build/release/sessionhub"
    var url: String?
    /// nginx with nchan to run the reference workloads against, instead of SessionHub.
    var nchan: String?
    /// Processes of a server at `url` or `nchan` whose CPU and memory to report.
    var measuredPIDs: [Int32] = []
    /// DATABASE_URL of the servers this program starts (their default, SQLite in their folder, when nil).
    var database: String?
    var nodes = 1
    var workloads = Self.allWorkloads
    var fanoutSizes = [100, 1000, 5000]
    /// Fan-out sizes also run with every subscriber on one account (no join per subscriber).
    var sharedAccountSizes = [5000]
    var mixedSize = 1000
    var rate = 20
    var fanoutSeconds = 12.0
    var throughputSubscribers = 50
    var throughputPublishers = 4
    var throughputSeconds = 10.0
    var idleConnections = 10_000
    var roomSize = 50
    var idleSeconds = 10.0
    var soakSeconds = 600.0
    var restConnections = 64
    var restSeconds = 5.0
    var output = "bench-results"

    static let usage = """
        sessionhub-bench: drives a SessionHub server over the network and reports delivery, latency, CPU and memory.

        usage: sessionhub-bench [options]
          --server PATH        sessionhub binary to start on a free port (default .build/release/sessionhub)
          --url URL            drive a server already running there instead (no server CPU or memory figures without --pids)
          --nchan URL          run the fanout and idle workloads against nginx with nchan there (scripts/bench-nchan)
          --pids LIST          with --url or --nchan: the processes whose CPU and memory to report, summed
          --database URL       DATABASE_URL of the servers it starts, e.g. postgres://user@127.0.0.1:5432/db (default SQLite)
          --nodes N            start N servers on that PostgreSQL (a schema of their own); fan-out subscribers take turns
                               between them, publishers and REST calls use the first (default 1)
          --workloads LIST     comma list of \(allWorkloads.joined(separator: ",")) (default all), or \(soak)
          --fanout LIST        fan-out subscriber counts, one account each (default 100,1000,5000)
          --fanout-shared LIST fan-out counts run again with all subscribers on one account, no join storm (default 5000; none)
          --mixed N            subscribers of the mixed run, half of them on SSE (default 1000)
          --rate N             publisher messages a second in fan-out runs (default 20)
          --seconds S          length of each fan-out run (default 12)
          --throughput-seconds S (default 10)
          --idle N             idle connections (default 10000), --room N per session (default 50), --idle-seconds S (default 10)
          --soak-seconds S     the soak (not in the default list): the idle connections held this long while each room
                               hears a chat message a second (default 600)
          --rest-seconds S     per REST call (default 5), --rest-connections N (default 64)
          --quick              a few seconds in all: small sizes, for the smoke test
          --out DIR            where results.jsonl and fanout-latency.svg go (default bench-results)
        """

    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var remaining = arguments[...]
        var workloadsGiven = false
        func value(_ flag: String) throws -> String {
            guard let value = remaining.popFirst() else { throw BenchError("\(flag) needs a value") }
            return value
        }
        func number(_ flag: String) throws -> Double {
            guard let number = Double(try value(flag)), number > 0 else { throw BenchError("\(flag) needs a positive number") }
            return number
        }
        func list(_ flag: String) throws -> [Int] {
            let text = try value(flag)
            if flag == "--fanout-shared", text == "none" { return [] }
            let items = text.split(separator: ",").map { Int($0) }
            guard !items.isEmpty, items.allSatisfy({ ($0 ?? 0) > 0 }) else { throw BenchError("\(flag) needs positive whole numbers") }
            return items.map { $0! }
        }
        while let flag = remaining.popFirst() {
            switch flag {
            case "--server": options.server = try value(flag)
            case "--url": options.url = try value(flag)
            case "--nchan": options.nchan = try value(flag)
            case "--pids":
                options.measuredPIDs = try list(flag).map {
                    guard let pid = Int32(exactly: $0) else { throw BenchError("--pids takes process ids") }
                    return pid
                }
            case "--database": options.database = try value(flag)
            case "--nodes": options.nodes = Int(try number(flag))
            case "--workloads":
                workloadsGiven = true
                options.workloads = try value(flag).split(separator: ",").map(String.init)
                if let unknown = options.workloads.first(where: { !Self.allWorkloads.contains($0) && $0 != Self.soak }) {
                    throw BenchError("unknown workload \(unknown)")
                }
            case "--fanout": options.fanoutSizes = try list(flag)
            case "--fanout-shared": options.sharedAccountSizes = try list(flag)
            case "--mixed": options.mixedSize = Int(try number(flag))
            case "--rate": options.rate = Int(try number(flag))
            case "--seconds": options.fanoutSeconds = try number(flag)
            case "--throughput-seconds": options.throughputSeconds = try number(flag)
            case "--idle": options.idleConnections = Int(try number(flag))
            case "--room": options.roomSize = Int(try number(flag))
            case "--idle-seconds": options.idleSeconds = try number(flag)
            case "--soak-seconds": options.soakSeconds = try number(flag)
            case "--rest-seconds": options.restSeconds = try number(flag)
            case "--rest-connections": options.restConnections = Int(try number(flag))
            case "--out": options.output = try value(flag)
            case "--quick":
                options.fanoutSizes = [20]
                options.sharedAccountSizes = [20]
                options.mixedSize = 20
                options.fanoutSeconds = 1
                options.throughputSubscribers = 5
                options.throughputPublishers = 2
                options.throughputSeconds = 1
                options.idleConnections = 100
                options.roomSize = 25
                options.idleSeconds = 1
                options.soakSeconds = 2
                options.restConnections = 4
                options.restSeconds = 0.5
            case "--help", "-h": throw BenchError(Self.usage)
            default: throw BenchError("unknown option \(flag)\n\n\(Self.usage)")
            }
        }
        if !options.measuredPIDs.isEmpty, options.url == nil, options.nchan == nil {
            throw BenchError("--pids is for a server this program attaches to (--url or --nchan); it measures those it starts")
        }
        if options.nchan != nil {
            guard options.url == nil, options.database == nil, options.nodes == 1 else { throw BenchError("--nchan drives nginx alone") }
            if let unknown = options.workloads.first(where: { !Self.referenceWorkloads.contains($0) }), workloadsGiven {
                throw BenchError("nchan runs only the \(Self.referenceWorkloads.joined(separator: " and ")) workloads, not \(unknown)")
            }
            options.workloads = options.workloads.filter(Self.referenceWorkloads.contains)
        }
        if options.nodes > 1, options.database.map({ !$0.hasPrefix("postgres") }) ?? true {
            throw BenchError("--nodes needs a --database postgres://... URL: nodes share a PostgreSQL")
        }
        return options
    }

    var storesInPostgres: Bool { self.database?.hasPrefix("postgres") ?? false }

    /// Users the workloads need: the sessions' owner and the largest set of distinct subscribers.
    var userCount: Int {
        var largest = 1
        if self.workloads.contains("fanout") { largest = max(largest, self.fanoutSizes.max() ?? 1) }
        if self.workloads.contains("mixed") { largest = max(largest, self.mixedSize) }
        if self.workloads.contains("throughput") { largest = max(largest, self.throughputSubscribers) }
        if self.workloads.contains("idle") || self.workloads.contains(Self.soak) { largest = max(largest, self.roomSize) }
        return largest
    }
}
