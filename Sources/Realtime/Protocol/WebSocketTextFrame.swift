import NIOCore

/// A whole server-to-client WebSocket text frame (RFC 6455 §5.2: FIN, the text opcode, no mask, the payload length in
/// 7, 16 or 64 bits), built once per broadcast so that every subscriber is written the same bytes below the frame
/// encoder, where the encoder would otherwise frame the payload again for each of them.
enum WebSocketTextFrame {
    /// The longest header: two bytes and a 64-bit length.
    static let maximumHeaderLength = 10

    /// `text` framed, and its payload: a view into the frame, not a copy.
    static func make(_ text: String) -> (frame: ByteBuffer, payload: ByteBuffer) {
        let length = text.utf8.count
        var frame = ByteBufferAllocator().buffer(capacity: Self.maximumHeaderLength + length)
        frame.writeInteger(UInt8(0x81))  // FIN and opcode 1 (text)
        switch length {
        case ..<126:
            frame.writeInteger(UInt8(length))
        case ...Int(UInt16.max):
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        let header = frame.readableBytes
        frame.writeString(text)
        return (frame, frame.getSlice(at: header, length: length)!)
    }
}
