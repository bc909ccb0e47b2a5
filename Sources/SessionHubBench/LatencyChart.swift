import Foundation

/// An SVG percentile plot of delivery latency: x runs through the "nines" (50%, 90%, 99%, 99.9%) on a log scale
/// of 1/(1-p), y is milliseconds; one line per fan-out run.
enum LatencyChart {
    static func svg(_ series: [(label: String, latencies: Latencies)]) -> String {
        let (width, height, left, right, top, bottom) = (900.0, 420.0, 64.0, 330.0, 24.0, 48.0)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let nines = 3.0
        let percentiles = stride(from: 0.0, through: nines, by: 0.02).map { 100 * (1 - pow(10, -$0)) }
        let ceiling = Self.niceCeiling(series.map { $0.latencies.percentile(99.9) }.max() ?? 1)
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
        func x(_ percentile: Double) -> Double { left + plotWidth * log10(1 / (1 - percentile / 100)) / nines }
        func y(_ milliseconds: Double) -> Double { top + plotHeight * (1 - min(milliseconds, ceiling) / ceiling) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="16" font-size="13">Fan-out delivery latency by percentile (send to receive, ms)</text>

            """
        for (index, label) in ["50%", "90%", "99%", "99.9%"].enumerated() {
            let position = left + plotWidth * Double(index == 0 ? log10(2) : Double(index)) / nines
            svg += ##"<line x1="\##(position)" y1="\##(top)" x2="\##(position)" y2="\##(top + plotHeight)" stroke="#ddd"/>"##
            svg += #"<text x="\#(position)" y="\#(height - bottom + 18)" text-anchor="middle">\#(label)</text>"# + "\n"
        }
        for step in 0...4 {
            let value = ceiling * Double(step) / 4
            svg += ##"<line x1="\##(left)" y1="\##(y(value))" x2="\##(left + plotWidth)" y2="\##(y(value))" stroke="#eee"/>"##
            svg += #"<text x="\#(left - 6)" y="\#(y(value) + 4)" text-anchor="end">\#(String(format: "%g", value))</text>"# + "\n"
        }
        svg += #"<text x="\#(left + plotWidth / 2)" y="\#(height - 8)" text-anchor="middle">percentile</text>"# + "\n"
        for (index, entry) in series.enumerated() {
            let colour = colours[index % colours.count]
            let points = percentiles.map { String(format: "%.1f,%.1f", x($0), y(entry.latencies.percentile($0))) }
            svg += #"<polyline fill="none" stroke="\#(colour)" stroke-width="2" points="\#(points.joined(separator: " "))"/>"# + "\n"
            let legendY = top + 16 + Double(index) * 20
            svg += #"<rect x="\#(width - right + 16)" y="\#(legendY - 10)" width="14" height="3" fill="\#(colour)"/>"#
            let summary = String(format: "p99 %.1f ms", entry.latencies.percentile(99))
            svg += #"<text x="\#(width - right + 36)" y="\#(legendY - 4)">\#(entry.label), \#(summary)</text>"# + "\n"
        }
        return svg + "</svg>\n"
    }

    /// 1, 2 or 5 times a power of ten, at or above `value`.
    private static func niceCeiling(_ value: Double) -> Double {
        let magnitude = pow(10, floor(log10(max(value, 0.001))))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= value } ?? 10 * magnitude
    }
}
