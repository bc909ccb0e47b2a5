import Foundation
import Hummingbird
import Models
import NIOCore

/// Encodes a value with the shared wire format (millisecond UTC timestamps, stable key order).
public enum JSONResponse {
    public static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try WireFormat.makeEncoder().encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// 204 No Content.
    public static var noContent: Response { Response(status: .noContent) }
}
