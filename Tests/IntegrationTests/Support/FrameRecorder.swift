import Foundation
import Synchronization

/// Keeps the server frames the realtime tests receive, so that scripts/check-frames can validate each against its
/// `ServerEvent` schema in openapi.yaml. It writes JSON lines to the file SESSIONHUB_FRAME_LOG names, and nothing
/// without it; at most `perType` frames of each type, which covers every shape the suites provoke while a slow
/// consumer's thousands of chat messages stay a few.
final class FrameRecorder: Sendable {
    static let shared = FrameRecorder(path: ProcessInfo.processInfo.environment["SESSIONHUB_FRAME_LOG"])
    private static let perType = 300

    /// No handle: recording is off.
    private let file: Mutex<(handle: FileHandle?, counts: [String: Int])>

    private init(path: String?) {
        let handle = path.flatMap { path in
            FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        }
        self.file = Mutex((handle, [:]))
    }

    func record(_ text: String) {
        self.file.withLock { file in
            guard let handle = file.handle, let frame = FrameLog.parse(text) else { return }
            let type = frame["type"] as? String ?? "?"
            guard file.counts[type, default: 0] < Self.perType else { return }
            file.counts[type, default: 0] += 1
            handle.write(Data((text + "\n").utf8))
        }
    }
}
