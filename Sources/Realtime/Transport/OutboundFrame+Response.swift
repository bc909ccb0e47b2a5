import Hummingbird

extension OutboundFrame: ResponseGenerator {
    /// The frame's own bytes, already serialized for the WebSocket: an action's answer over HTTP is the same JSON.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: self.json))
    }
}
