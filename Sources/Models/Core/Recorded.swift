/// The outcome of a write and the id of the event that recorded it: what a realtime `ack` carries.
/// `eventID` is nil when the write changed nothing, so nothing was recorded.
public struct Recorded<Value: Sendable>: Sendable {
    public let value: Value
    public let eventID: Int64?

    public init(_ value: Value, eventID: Int64?) {
        self.value = value
        self.eventID = eventID
    }
}
