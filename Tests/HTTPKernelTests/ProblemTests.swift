import Foundation
import Hummingbird
import HummingbirdTesting
import Models
import Testing

@testable import HTTPKernel

@Suite("Errors as problem+json")
struct ProblemTests {
    struct LeakyError: Error, CustomStringConvertible {
        var description: String { "SQLITE_ERROR near SELECT password_hash FROM users; secret=hunter2" }
    }

    @Test func unexpectedErrorsRevealNothingButTheRequestID() throws {
        let problem = Problem(error: LeakyError(), requestID: "req-1")
        #expect(problem.status == 500)
        #expect(problem.errorCode == .internalError)
        let body = String(decoding: try JSONEncoder().encode(problem), as: UTF8.self)
        #expect(body.contains("req-1"))
        #expect(!body.contains("SQLITE"))
        #expect(!body.contains("hunter2"))
    }

    @Test func domainErrorsKeepTheirStatusAndCode() {
        let cases: [(DomainError, Int, String)] = [
            (.malformedBody("x"), 400, "INVALID_JSON"),
            (.invalid("email", "bad"), 422, "VALIDATION_FAILED"),
            (.unauthorized("x"), 401, "UNAUTHORIZED"),
            (.forbidden("x"), 403, "PERMISSION_DENIED"),
            (.notFound("x"), 404, "NOT_FOUND"),
            (.conflict("x"), 409, "CONFLICT"),
            (.payloadTooLarge(limitBytes: 10), 413, "MESSAGE_TOO_LARGE"),
            (.rateLimited(retryAfterSeconds: 3), 429, "RATE_LIMITED"),
            (.storeUnavailable(retryAfterSeconds: 5), 503, "STORE_UNAVAILABLE"),
            (.serverBusy(retryAfterSeconds: 1), 503, "SERVER_BUSY"),
            (.tooManyConnections(limit: 20), 429, "TOO_MANY_CONNECTIONS"),
            (.secretDetected([]), 422, "SECRET_DETECTED"),
        ]
        for (error, status, code) in cases {
            let problem = Problem(error: error, requestID: nil)
            #expect(problem.status == status)
            #expect(problem.errorCode.rawValue == code)
        }
        #expect(Problem(error: DomainError.invalid("email", "bad"), requestID: nil).errors == [FieldProblem(field: "email", message: "bad")])
    }

    @Test func aStoreThatCannotWriteIs503WithRetryAfter() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(ProblemMiddleware())
        router.post("/write") { _, _ -> String in throw DomainError.storeUnavailable(retryAfterSeconds: 5) }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/write", method: .post) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains("STORE_UNAVAILABLE"))
            }
        }
    }

    @Test func unauthorizedResponsesAskForABearerToken() {
        let response = Problem(error: DomainError.unauthorized("no"), requestID: nil).response()
        #expect(response.headers[.wwwAuthenticate] == "Bearer")
        #expect(response.headers[.contentType] == "application/problem+json")
    }
}
