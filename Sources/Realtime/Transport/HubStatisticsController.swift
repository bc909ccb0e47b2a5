import Hummingbird

/// `GET /ws/stats`: the hub's connections, rooms and counters, for operators (no session ids or user data).
public struct HubStatisticsController<Context: RequestContext>: Sendable {
    let hub: BroadcastHub

    public init(hub: BroadcastHub) {
        self.hub = hub
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("ws/stats") { _, _ in try await self.hub.statisticsWithCluster() }
    }
}

extension HubStatistics: ResponseEncodable {}
