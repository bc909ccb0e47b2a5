/// The field rules of messages and reactions, as openapi.yaml states them.
enum MessageValidation {
    static let maxContent = 10_000

    static func check(_ draft: MessageDraft, type: PostableMessageType) throws {
        var problems: [FieldProblem] = []
        if let problem = self.contentProblem(draft.content) { problems.append(problem) }
        if type == .comment {
            if draft.file == nil { problems.append(FieldProblem(field: "file", message: "is required for a comment")) }
            if draft.line == nil { problems.append(FieldProblem(field: "line", message: "is required for a comment")) }
        }
        if let file = draft.file, let problem = CodeLocation.fileProblem(file) { problems.append(problem) }
        if let line = draft.line, let problem = CodeLocation.positionProblem(line, field: "line", in: CodeLocation.commentLines) {
            problems.append(problem)
        }
        if let snippet = draft.codeSnippet, snippet.unicodeScalars.count > self.maxContent {
            problems.append(FieldProblem(field: "code_snippet", message: "must be at most \(self.maxContent) characters"))
        }
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
    }

    static func checkContent(_ content: String) throws {
        if let problem = self.contentProblem(content) { throw DomainError.invalid([problem]) }
    }

    static func checkEmoji(_ emoji: String) throws {
        guard (1...16).contains(emoji.unicodeScalars.count) else { throw DomainError.invalid("emoji", "must be 1-16 characters") }
    }

    private static func contentProblem(_ content: String) -> FieldProblem? {
        (1...self.maxContent).contains(content.unicodeScalars.count)
            ? nil : FieldProblem(field: "content", message: "must be 1-\(self.maxContent) characters")
    }
}

/// Finds `@username` mentions in message text.
public enum MentionParser {
    /// Distinct usernames after an `@` that starts the text or follows a non-name character (so emails do not count),
    /// in order of appearance; a trailing '.' ends a sentence, not the name.
    public static func usernames(in text: String) -> [String] {
        let characters = Array(text)
        var names: [String] = []
        var index = 0
        while index < characters.count {
            guard characters[index] == "@", index == 0 || !self.isNameCharacter(characters[index - 1]) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < characters.count, self.isNameCharacter(characters[end]) { end += 1 }
            var name = String(characters[(index + 1)..<end])
            while name.hasSuffix(".") { name.removeLast() }
            if (3...32).contains(name.count), !names.contains(where: { $0.lowercased() == name.lowercased() }) { names.append(name) }
            index = end
        }
        return names
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "_-.".contains(character))
    }
}
