import Hummingbird
import Metrics
import NIOCore
import Prometheus
import Realtime

/// `GET /metrics`: every metric in Prometheus's text format. Counters and histograms are recorded where things
/// happen; the hub's current sizes (connections by transport, rooms, present users) are read at each scrape.
struct MetricsController<Context: RequestContext>: Sendable {
    let registry: PrometheusCollectorRegistry
    let hub: BroadcastHub

    func addRoutes(to router: Router<Context>) {
        router.get("metrics") { _, _ -> Response in
            self.recordHubSizes()
            var bytes: [UInt8] = []
            self.registry.emit(into: &bytes)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }

    private func recordHubSizes() {
        let statistics = self.hub.statistics()
        Gauge(label: "sessionhub_connections", dimensions: [("transport", "websocket")]).record(statistics.connections.websocket)
        Gauge(label: "sessionhub_connections", dimensions: [("transport", "sse")]).record(statistics.connections.sse)
        Gauge(label: "sessionhub_rooms").record(statistics.subscribersPerRoom.rooms)
        for status in ["active", "idle", "away"] {
            Gauge(label: "sessionhub_present_users", dimensions: [("status", status)]).record(statistics.presence[status] ?? 0)
        }
    }
}
