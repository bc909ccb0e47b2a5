/// Where in the code something points: the one set of bounds for file paths, lines and columns, shared by code
/// comments, cursors and viewports whichever transport they came by. Lengths are counted in Unicode code points, as
/// JSON Schema's `maxLength` counts them.
public enum CodeLocation {
    public static let filePathLength = 1...1024
    /// No source file is longer; a cursor may stand at line or column 0 (editors count from there).
    public static let positions = 0...10_000_000
    /// A comment names a line as people number them.
    public static let commentLines = 1...10_000_000

    static func fileProblem(_ file: String, field: String = "file") -> FieldProblem? {
        self.filePathLength.contains(file.unicodeScalars.count)
            ? nil : FieldProblem(field: field, message: "must be \(self.filePathLength.lowerBound)-\(self.filePathLength.upperBound) characters")
    }

    static func positionProblem(_ value: Int, field: String, in range: ClosedRange<Int> = Self.positions) -> FieldProblem? {
        range.contains(value) ? nil : FieldProblem(field: field, message: "must be from \(range.lowerBound) to \(range.upperBound)")
    }

    static func validate(_ problems: FieldProblem?...) throws(DomainError) {
        let found = problems.compactMap { $0 }
        guard found.isEmpty else { throw .invalid(found) }
    }
}

/// Where a user's cursor is.
public struct Cursor: Sendable, Equatable, Codable {
    public let file: String
    public let line: Int
    public let column: Int

    /// Refuses (422 `invalid`, naming each field) what `CodeLocation` does not allow.
    public init(file: String, line: Int, column: Int) throws(DomainError) {
        try CodeLocation.validate(
            CodeLocation.fileProblem(file), CodeLocation.positionProblem(line, field: "line"), CodeLocation.positionProblem(column, field: "column")
        )
        self.file = file
        self.line = line
        self.column = column
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            file: container.decode(String.self, forKey: .file), line: container.decode(Int.self, forKey: .line),
            column: container.decode(Int.self, forKey: .column)
        )
    }

    /// As presence and `cursor_update` frames carry it.
    public var json: JSONValue {
        .object(["file": .string(self.file), "line": .number(Double(self.line)), "column": .number(Double(self.column))])
    }
}

/// The lines of a file a user has on screen.
public struct Viewport: Sendable, Equatable, Codable {
    public let file: String
    public let startLine: Int
    public let endLine: Int

    public init(file: String, startLine: Int, endLine: Int) throws(DomainError) {
        try CodeLocation.validate(
            CodeLocation.fileProblem(file), CodeLocation.positionProblem(startLine, field: "start_line"),
            CodeLocation.positionProblem(endLine, field: "end_line"),
            endLine >= startLine ? nil : FieldProblem(field: "end_line", message: "must not be before start_line")
        )
        self.file = file
        self.startLine = startLine
        self.endLine = endLine
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            file: container.decode(String.self, forKey: .file), startLine: container.decode(Int.self, forKey: .startLine),
            endLine: container.decode(Int.self, forKey: .endLine)
        )
    }

    enum CodingKeys: String, CodingKey {
        case file
        case startLine = "start_line"
        case endLine = "end_line"
    }

    /// As presence and `viewport_update` frames carry it.
    public var json: JSONValue {
        .object(["file": .string(self.file), "start_line": .number(Double(self.startLine)), "end_line": .number(Double(self.endLine))])
    }
}
