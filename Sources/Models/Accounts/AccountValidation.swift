/// The rules for account fields, in one place for registration and profile changes.
enum AccountValidation {
    static let usernameLength = 3...32
    /// Counted in code points, as JSON Schema counts `minLength`/`maxLength`; the hasher copes with bcrypt's 72-byte input.
    static let passwordLength = 8...72
    static let maxEmailLength = 254
    static let maxFullNameLength = 100
    /// Preferences are a small settings object, not a document store.
    static let maxPreferencesBytes = 16 * 1024

    static func problems(in registration: Registration) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if let problem = self.emailProblem(registration.email) { problems.append(problem) }
        if let problem = self.usernameProblem(registration.username) { problems.append(problem) }
        if let problem = self.passwordProblem(registration.password, field: "password") { problems.append(problem) }
        if let fullName = registration.fullName, let problem = self.fullNameProblem(fullName) { problems.append(problem) }
        return problems
    }

    static func emailProblem(_ email: String) -> FieldProblem? {
        // The shape openapi.yaml states: name@label.label[.label...], no spaces, one '@'. Split by scalars, as the
        // pattern matches: a combining mark after '@' (an emoji modifier, say) makes "@" part of a larger Character.
        let parts = email.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        let domainLabels = parts.count == 2 ? parts[1].split(separator: ".", omittingEmptySubsequences: false) : []
        let isShaped =
            parts.count == 2 && !parts[0].isEmpty && domainLabels.count >= 2 && domainLabels.allSatisfy { !$0.isEmpty }
            && !email.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        guard isShaped, email.unicodeScalars.count <= self.maxEmailLength else {
            return FieldProblem(field: "email", message: "must be an email address like name@example.com")
        }
        return nil
    }

    static func usernameProblem(_ username: String) -> FieldProblem? {
        let allowed = username.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar))
        }
        guard allowed, self.usernameLength.contains(username.unicodeScalars.count) else {
            return FieldProblem(field: "username", message: "must be 3-32 characters of letters, digits, '_', '-' or '.'")
        }
        return nil
    }

    static func passwordProblem(_ password: String, field: String) -> FieldProblem? {
        guard self.passwordLength.contains(password.unicodeScalars.count) else {
            return FieldProblem(field: field, message: "must be 8-72 characters long")
        }
        // bcrypt reads its input up to the first NUL, so a control character could make a password shorter than it
        // looks; none of them belongs in a password anyway.
        guard !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return FieldProblem(field: field, message: "must not contain control characters")
        }
        return nil
    }

    static func fullNameProblem(_ fullName: String) -> FieldProblem? {
        // Code points, as JSON Schema's maxLength counts them.
        guard fullName.unicodeScalars.count <= self.maxFullNameLength else {
            return FieldProblem(field: "full_name", message: "must be at most 100 characters")
        }
        return nil
    }
}
