import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-ID")!
}

extension RequestContext {
    /// The id every log line of this request carries and the response echoes in X-Request-ID.
    var requestID: String? {
        self.logger[metadataKey: "request_id"].map { "\($0)" }
    }
}

/// Takes the caller's X-Request-ID (when it is a sane token) or makes one, puts it in the logger, and echoes it.
/// It also writes the access log line, so that line carries the id, the status and the duration.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    /// On the WebSocket router, whose 200 means "upgrade": the client got a 101, and that is what the log says.
    var answersUpgrades = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = request.headers[.requestID].flatMap(Self.acceptable) ?? UUID().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(requestID)
        let started = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.requestID] = requestID
        let elapsed = started.duration(to: .now)
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(self.answersUpgrades && response.status == .ok ? 101 : response.status.code),
                "duration_ms": .stringConvertible((elapsed / .milliseconds(1) * 100).rounded() / 100),
            ]
        )
        return response
    }

    /// Caller-supplied ids end up in logs, so only short tokens of safe characters are kept.
    private static func acceptable(_ id: String) -> String? {
        let allowed = id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
                || byte == 0x2E
        }
        return allowed && (1...128).contains(id.utf8.count) ? id : nil
    }
}
