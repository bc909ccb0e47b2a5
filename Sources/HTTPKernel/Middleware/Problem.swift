import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Models
import NIOCore

/// An RFC 9457 problem+json body, the one shape of every REST error.
struct Problem: Encodable {
    let type = "about:blank"
    let title: String
    let status: Int
    let detail: String
    let errorCode: ErrorCode
    let requestID: String?
    let errors: [FieldProblem]?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors
        case errorCode = "error_code"
        case requestID = "request_id"
    }

    init(status: HTTPResponse.Status, detail: String, errorCode: ErrorCode, requestID: String?, errors: [FieldProblem]? = nil) {
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.errorCode = errorCode
        self.requestID = requestID
        self.errors = errors
    }

    /// The response for a problem, with the headers its status calls for.
    func response(extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "application/problem+json"
        if self.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        let body = (try? WireFormat.makeEncoder().encode(self)) ?? Data()
        return Response(status: .init(code: self.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension Problem {
    /// Maps any error to its problem. Domain and HTTP errors keep their status and message; anything else is a 500
    /// that says only which request failed (the log has the rest).
    init(error: any Error, requestID: String?) {
        switch error {
        case let error as DomainError:
            self.init(domain: error, requestID: requestID)
        case let error as HTTPError:
            self.init(
                status: error.status,
                detail: error.body ?? error.status.reasonPhrase,
                errorCode: Self.errorCode(for: error.status),
                requestID: requestID
            )
        default:
            self.init(
                status: .internalServerError,
                detail: "An unexpected error occurred; quote the request id when reporting it",
                errorCode: .internalError,
                requestID: requestID
            )
        }
    }

    private init(domain error: DomainError, requestID: String?) {
        let (status, detail) = Self.statusAndDetail(of: error)
        self.init(status: status, detail: detail, errorCode: error.errorCode, requestID: requestID, errors: error.fieldProblems)
    }

    private static func statusAndDetail(of error: DomainError) -> (HTTPResponse.Status, String) {
        switch error {
        case .malformedBody(let detail): (.badRequest, detail)
        case .invalid: (.unprocessableContent, "The request has invalid fields")
        case .unauthorized(let detail): (.unauthorized, detail)
        case .forbidden(let detail): (.forbidden, detail)
        case .notFound(let detail): (.notFound, detail)
        case .conflict(let detail): (.conflict, detail)
        case .payloadTooLarge(let limit): (.contentTooLarge, "The request body exceeds \(limit) bytes")
        case .rateLimited(let seconds): (.tooManyRequests, "Too many requests; retry in \(seconds) s")
        case .serverBusy(let seconds): (.serviceUnavailable, "The server is busy; retry in \(seconds) s")
        case .tooManyConnections(let limit): (.tooManyRequests, "You have \(limit) live connections open, the most allowed; close one first")
        case .secretDetected: (.unprocessableContent, "The text holds secrets (keys, tokens, passwords); remove them and send it again")
        case .storeUnavailable(let seconds):
            (.serviceUnavailable, "The store cannot take writes right now; nothing was stored, retry in \(seconds) s")
        case .rejectedMessage(_, let detail): (.badRequest, detail)
        }
    }

    static func errorCode(for status: HTTPResponse.Status) -> ErrorCode {
        switch status.code {
        case 401: .unauthorized
        case 403: .permissionDenied
        case 404: .notFound
        case 405: .methodNotAllowed
        case 408: .requestTimeout
        case 409: .conflict
        case 413: .messageTooLarge
        case 429: .rateLimited
        case 500...: .internalError
        default: .badRequest
        }
    }
}
