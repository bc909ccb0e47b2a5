import Foundation

/// Latency percentiles of a sample, in milliseconds.
struct Latencies: Sendable {
    let sortedMicros: [UInt32]

    init(_ samples: [UInt32]) {
        self.sortedMicros = samples.sorted()
    }

    func percentile(_ p: Double) -> Double {
        guard !self.sortedMicros.isEmpty else { return 0 }
        let index = min(self.sortedMicros.count - 1, Int((p / 100 * Double(self.sortedMicros.count)).rounded(.up)) - 1)
        return Double(self.sortedMicros[Swift.max(0, index)]) / 1000
    }

    var max: Double { Double(self.sortedMicros.last ?? 0) / 1000 }
}

/// One workload's figures, in the order they are printed.
struct WorkloadResult: Sendable {
    enum Value: Sendable {
        case int(Int)
        case number(Double)
        case text(String)
        case flag(Bool)

        var json: String {
            switch self {
            case .int(let value): String(value)
            case .number(let value): value.isFinite ? String(format: "%.3f", value) : "null"
            case .text(let value): "\"\(value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
            case .flag(let value): String(value)
            }
        }

        var display: String {
            switch self {
            case .int(let value): value.formatted()
            case .number(let value): value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
            case .text(let value): value
            case .flag(let value): value ? "yes" : "NO"
            }
        }
    }

    let name: String
    var figures: [(key: String, value: Value)] = []
    /// For the chart: each subscriber transport's latencies.
    var latencySeries: [(label: String, latencies: Latencies)] = []

    init(name: String) {
        self.name = name
    }

    subscript(key: String) -> Value? {
        get { self.figures.first { $0.key == key }?.value }
        set {
            guard let newValue else { return }
            if let index = self.figures.firstIndex(where: { $0.key == key }) {
                self.figures[index].value = newValue
            } else {
                self.figures.append((key, newValue))
            }
        }
    }

    var jsonLine: String {
        let fields = [("workload", Value.text(self.name))] + self.figures
        return "{" + fields.map { "\"\($0.0)\": \($0.1.json)" }.joined(separator: ", ") + "}"
    }
}

extension WorkloadResult {
    /// What the subscribers' tallies received of the `expected` probe deliveries over `seconds`: counts, loss,
    /// duplicates, rate and latency percentiles. Returns every latency, for charts and per-node splits.
    @discardableResult
    mutating func recordDeliveries(of tallies: [Receiver.Tally], expected: Int, over seconds: Double) -> Latencies {
        let received = tallies.reduce(0) { $0 + $1.received }
        self["expected"] = .int(expected)
        self["delivered"] = .int(received)
        self["lost"] = .int(expected - received)
        self["duplicated"] = .int(tallies.reduce(0) { $0 + $1.duplicates })
        self["delivered_per_s"] = .number(Double(received) / seconds)
        let latencies = Latencies(tallies.flatMap(\.latenciesMicros))
        FanoutWorkload.addPercentiles(latencies, prefix: "", to: &self)
        return latencies
    }

    /// The server's memory around connections held open: what each one costs.
    mutating func recordMemory(before: ProcessUsage?, after: ProcessUsage?, peak: Int, connections: Int) {
        guard let before, let after else { return }
        self["server_rss_before_mb"] = .number(Double(before.rssBytes) / 1_048_576)
        self["server_rss_after_mb"] = .number(Double(after.rssBytes) / 1_048_576)
        self["server_peak_rss_mb"] = .number(Double(peak) / 1_048_576)
        self["rss_per_connection_kb"] = .number(Double(after.rssBytes - before.rssBytes) / Double(connections) / 1024)
    }
}
