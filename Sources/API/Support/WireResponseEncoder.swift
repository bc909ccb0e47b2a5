import Foundation
import Hummingbird
import Models
import NIOCore

/// Encodes what handlers return with the wire format (millisecond UTC timestamps, sorted keys), once, straight into
/// the response body.
public struct WireResponseEncoder: ResponseEncoder {
    /// One encoder for every response: its configuration never changes and encoding does not mutate it.
    private static let encoder = WireFormat.makeEncoder()

    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try Self.encoder.encode(value)
        var buffer = ByteBufferAllocator().buffer(capacity: data.count)
        buffer.writeBytes(data)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
