import CoreMetrics
import Metrics
import Prometheus

/// The process's metrics registry: swift-metrics is bootstrapped once with a Prometheus factory, whatever the number
/// of applications built in the process (the in-process tests build many).
enum PrometheusMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let latencyBuckets: [Duration] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5),
        ]
        factory.defaultDurationHistogramBuckets = latencyBuckets
        factory.valueHistogramBuckets = ["sessionhub_store_write_batch_size": [1, 2, 4, 8, 16, 32, 64, 128, 256]]
        factory.nameAndLabelSanitizer = { name, labels in
            (Self.prometheusName(name), labels.map { (Self.prometheusName($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Hummingbird's names are dotted (`http.server.request.duration`); Prometheus allows `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func prometheusName(_ name: String) -> String {
        switch name {
        case "hb.requests": "http_server_requests_total"
        case "hb.request.errors": "http_server_request_errors_total"
        case "http.server.request.duration": "http_server_request_duration_seconds"
        default: String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" ? $0 : "_" })
        }
    }
}
