/// The realtime side of SessionHub: the broadcast hub, the wire protocol and its WebSocket and SSE transports.
///
/// They arrive with the realtime issue. Until then this module only holds its place in the dependency graph
/// (Models <- Realtime <- HTTPKernel; Realtime never imports API), so adding them reshapes nothing.
public enum RealtimeModule {
    /// The version of the wire protocol documented in docs/realtime-protocol.md.
    public static let protocolVersion = 1
}
