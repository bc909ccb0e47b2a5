import Foundation
import Hummingbird
import Models
import NIOCore

/// `GET /ws/stats`: the hub's connections, rooms and counters, for operators (no session ids or user data).
public struct HubStatisticsController<Context: RequestContext>: Sendable {
    let hub: BroadcastHub

    public init(hub: BroadcastHub) {
        self.hub = hub
    }

    public func addRoutes(to router: Router<Context>) {
        router.get("ws/stats") { _, _ -> Response in
            let body = try WireFormat.makeEncoder().encode(self.hub.statistics())
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
