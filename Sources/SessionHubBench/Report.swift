import Foundation

/// The human table: one row per workload run, the figures that matter most for each.
enum Report {
    static func table(_ results: [WorkloadResult]) -> String {
        let header = ["workload", "rate", "lost/dup", "p50 ms", "p99 ms", "max ms", "server CPU", "server RSS", "client CPU", "notes"]
        let rows = results.map { result -> [String] in
            func show(_ key: String, _ suffix: String = "") -> String { result[key].map { $0.display + suffix } ?? "-" }
            let rate = result["requests_per_s"].map { $0.display + " req/s" } ?? result["delivered_per_s"].map { $0.display + " /s" } ?? "-"
            let lost =
                result["lost"].map { "\($0.display)/\(result["duplicated"]?.display ?? "0")" } ?? result["failed"].map { "\($0.display) failed" }
                ?? "-"
            return [
                Self.label(result), rate, lost, show("p50_ms"), show("p99_ms"), show("max_ms"), show("server_cpu_pct", "%"),
                show("server_peak_rss_mb", " MB"), show("client_cpu_pct", "%"), Self.notes(result),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| " + zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }

    private static func label(_ result: WorkloadResult) -> String {
        switch result.name {
        case "fanout":
            "fanout \(result["subscribers"]?.display ?? "?") subs" + (result["accounts"]?.display == "shared" ? " (one account)" : "")
        case "mixed": "mixed \(result["subscribers"]?.display ?? "?") subs (half SSE)"
        case "throughput": "throughput \(result["subscribers"]?.display ?? "?") subs x \(result["publishers"]?.display ?? "?") pubs"
        case "idle": "idle \(result["connections"]?.display ?? "?") conns"
        case "soak": "soak \(result["connections"]?.display ?? "?") conns"
        case "rest": "rest \(result["call"]?.display ?? "?")"
        default: result.name
        }
    }

    private static func notes(_ result: WorkloadResult) -> String {
        var notes: [String] = []
        if let reference = result["reference"] { notes.append(reference.display) }
        if let store = result["store"] { notes.append(store.display + (result["nodes"].map { ", \($0.display) nodes" } ?? "")) }
        if let node2 = result["node2_cpu_pct"] { notes.append("node 2 CPU \(node2.display)%") }
        if let one = result["node1_p99_ms"], let two = result["node2_p99_ms"] { notes.append("p99 node 1 \(one.display) / node 2 \(two.display) ms") }
        if let database = result["postgres_cpu_pct"] { notes.append("PostgreSQL CPU \(database.display)%") }
        if let connect = result["connect_s"] { notes.append("connect \(connect.display) s") }
        if let joins = result["joins_settled_s"] { notes.append("joins settled \(joins.display) s") }
        if let ws = result["ws_p99_ms"], let sse = result["sse_p99_ms"] { notes.append("p99 WS \(ws.display) / SSE \(sse.display) ms") }
        if let perConnection = result["rss_per_connection_kb"] { notes.append("\(perConnection.display) KB/conn") }
        if let growth = result["rss_growth_after_first_minute_mb"] { notes.append("RSS after minute 1: \(growth.display) MB growth") }
        if let open = result["all_open_at_end"] { notes.append("all open: \(open.display)") }
        if let refused = result["refused"], case .int(let count) = refused, count > 0 { notes.append("\(count) refused") }
        if let closed = result["closed_early"], case .int(let count) = closed, count > 0 { notes.append("\(count) closed early") }
        return notes.joined(separator: "; ")
    }
}
