/// The field rules for sessions, shared by create and update (and stated the same way in openapi.yaml).
enum SessionValidation {
    static let maxCount = 1_000_000_000_000
    static let maxTags = 20
    static let tagLength = 1...40

    static func problems(in draft: SessionDraft) -> [FieldProblem] {
        var problems = self.typeProblems(draft.type)
        problems += self.countProblems([
            ("pid", draft.pid), ("token_count", draft.tokenCount), ("token_limit", draft.tokenLimit),
            ("message_count", draft.messageCount), ("file_count", draft.fileCount), ("error_count", draft.errorCount),
        ])
        problems += self.textProblems([
            ("working_directory", draft.workingDirectory, 1024), ("project_name", draft.projectName, 200),
            ("description", draft.description, 2000), ("hostname", draft.hostname, 255),
        ])
        problems += self.healthProblems(draft.healthScore) + self.tagProblems(draft.tags)
        return problems
    }

    static func problems(in changes: SessionChanges) -> [FieldProblem] {
        var problems = self.countProblems([
            ("pid", changes.pid ?? nil), ("token_count", changes.tokenCount), ("token_limit", changes.tokenLimit ?? nil),
            ("message_count", changes.messageCount), ("file_count", changes.fileCount), ("error_count", changes.errorCount),
        ])
        problems += self.textProblems([
            ("working_directory", changes.workingDirectory ?? nil, 1024), ("project_name", changes.projectName ?? nil, 200),
            ("description", changes.description ?? nil, 2000), ("hostname", changes.hostname ?? nil, 255),
        ])
        problems += self.healthProblems(changes.healthScore ?? nil) + self.tagProblems(changes.tags)
        return problems
    }

    private static func typeProblems(_ type: String) -> [FieldProblem] {
        let allowed = type.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar)
        }
        return allowed && (1...40).contains(type.unicodeScalars.count)
            ? [] : [FieldProblem(field: "type", message: "must be 1-40 of a-z, 0-9, '_', '-', '.' (like claude_code)")]
    }

    private static func countProblems(_ counts: [(String, Int?)]) -> [FieldProblem] {
        counts.compactMap { field, value in
            guard let value, !(0...self.maxCount).contains(value) else { return nil }
            return FieldProblem(field: field, message: "must be from 0 to \(self.maxCount)")
        }
    }

    private static func textProblems(_ texts: [(String, String?, Int)]) -> [FieldProblem] {
        texts.compactMap { field, value, limit in
            guard let value, value.unicodeScalars.count > limit else { return nil }
            return FieldProblem(field: field, message: "must be at most \(limit) characters")
        }
    }

    private static func healthProblems(_ score: Double?) -> [FieldProblem] {
        guard let score, !(0...100).contains(score) else { return [] }
        return [FieldProblem(field: "health_score", message: "must be from 0 to 100")]
    }

    private static func tagProblems(_ tags: [String]?) -> [FieldProblem] {
        guard let tags else { return [] }
        if tags.count > self.maxTags { return [FieldProblem(field: "tags", message: "must hold at most \(self.maxTags) tags")] }
        return tags.enumerated().compactMap { index, tag in
            self.tagLength.contains(tag.unicodeScalars.count) ? nil : FieldProblem(field: "tags.\(index)", message: "must be 1-40 characters")
        }
    }
}
