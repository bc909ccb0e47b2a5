import API
import Foundation
import Models
import Testing

@Suite("Request body decoding")
struct WireRequestDecoderTests {
    struct Sample: Decodable {
        struct Inner: Decodable { let count: Int }
        let name: String
        let inner: Inner?
    }

    private func decode(_ text: String) async throws -> Sample {
        try WireRequestDecoder.decode(Sample.self, from: Data(text.utf8))
    }

    @Test func decodesValidBodies() async throws {
        let sample = try await self.decode(#"{"name": "n", "inner": {"count": 2}, "extra": true}"#)
        #expect(sample.name == "n")
        #expect(sample.inner?.count == 2)
    }

    @Test(arguments: ["", "{", "nul", "{name: 1}"])
    func unparseableIsMalformed(_ text: String) async throws {
        await #expect(throws: DomainError.malformedBody("The request body is not valid JSON")) { try await self.decode(text) }
    }

    @Test func fieldProblemsNameTheirPath() async throws {
        await #expect(throws: DomainError.invalid("name", "is required")) { try await self.decode("{}") }
        await #expect(throws: DomainError.invalid("name", "must be a string")) { try await self.decode(#"{"name": 5}"#) }
        await #expect(throws: DomainError.invalid("name", "must be a string, not null")) { try await self.decode(#"{"name": null}"#) }
        await #expect(throws: DomainError.invalid("inner.count", "must be an integer")) {
            try await self.decode(#"{"name": "n", "inner": {"count": "two"}}"#)
        }
        await #expect(throws: DomainError.invalid("body", "must be an object")) { try await self.decode("[1]") }
    }
}
