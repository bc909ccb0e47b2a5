import Foundation
import Models
import Testing

/// One set of bounds for where in the code, whichever way a location arrives.
@Suite("Code locations")
struct CodeLocationTests {
    @Test func cursorsAndViewportsKeepTheBounds() throws {
        #expect(try Cursor(file: "a.swift", line: 0, column: 0).line == 0)
        #expect(try Cursor(file: "a.swift", line: 10_000_000, column: 3).line == 10_000_000)
        let tooFar = #expect(throws: DomainError.self) { try Cursor(file: "a.swift", line: 10_000_001, column: -1) }
        #expect(tooFar?.fieldProblems?.map(\.field) == ["line", "column"])
        let backwards = #expect(throws: DomainError.self) { try Viewport(file: "a.swift", startLine: 9, endLine: 3) }
        #expect(backwards?.fieldProblems?.map(\.field) == ["end_line"])
    }

    @Test func filePathsAreCountedInCodePointsEverywhere() throws {
        // 600 characters of two code points each: 1,200 code points, over the limit however a client counts.
        let decomposed = String(repeating: "e\u{301}", count: 600)
        #expect(decomposed.count == 600)
        #expect(throws: DomainError.self) { try Cursor(file: decomposed, line: 1, column: 1) }
        #expect(throws: DomainError.self) { try Viewport(file: "", startLine: 1, endLine: 1) }
        #expect(try Cursor(file: String(repeating: "é", count: 1024), line: 1, column: 1).file.unicodeScalars.count == 1024)
    }

    @Test func decodingChecksTheSameRules() throws {
        let decoder = WireFormat.makeDecoder()
        #expect(try decoder.decode(Viewport.self, from: Data(#"{"file": "a", "start_line": 1, "end_line": 2}"#.utf8)).endLine == 2)
        #expect(throws: DomainError.self) { try decoder.decode(Cursor.self, from: Data(#"{"file": "a", "line": -1, "column": 0}"#.utf8)) }
    }
}
