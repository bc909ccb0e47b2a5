import Foundation

/// A span one detector found, before overlapping spans are merged.
struct SecretHit {
    let kind: SecretKind
    let start: Int
    var end: Int
}

/// The detectors behind `SecretScanner`: hand-written scans over a text's Unicode scalars, each looking for one shape
/// of secret, and the merge of what they found.
struct SecretDetector {
    let s: [Unicode.Scalar]
    var n: Int { self.s.count }
    private var hits: [SecretHit] = []

    init(_ scalars: [Unicode.Scalar]) { self.s = scalars }

    mutating func run() -> [SecretFinding] {
        guard !self.s.isEmpty else { return [] }
        self.privateKeys()
        self.prefixedTokens()
        self.jwts()
        self.bearerTokens()
        self.credentialAssignments()
        self.urlPasswords()
        self.highEntropyAssignments()
        return Self.merge(self.hits)
    }

    private static func merge(_ hits: [SecretHit]) -> [SecretFinding] {
        let ordered = hits.sorted { ($0.start, $0.kind.rank, $1.end) < ($1.start, $1.kind.rank, $0.end) }
        var kept: [SecretHit] = []
        for hit in ordered {
            if let last = kept.last, hit.start < last.end {
                kept[kept.count - 1].end = max(last.end, hit.end)
            } else {
                kept.append(hit)
            }
        }
        return kept.map { SecretFinding(kind: $0.kind, start: $0.start, length: $0.end - $0.start) }
    }

    private mutating func add(_ kind: SecretKind, _ start: Int, _ end: Int) {
        if end > start { self.hits.append(SecretHit(kind: kind, start: start, end: end)) }
    }

    // MARK: Primitives

    private func at(_ index: Int) -> Unicode.Scalar? { index >= 0 && index < self.n ? self.s[index] : nil }

    /// `literal` at `index`; with `ignoringCase`, ASCII letters match either case.
    private func matches(_ literal: String, at index: Int, ignoringCase: Bool = false) -> Bool {
        var position = index
        for expected in literal.unicodeScalars {
            guard let actual = self.at(position) else { return false }
            if ignoringCase ? lowerASCII(actual) != lowerASCII(expected) : actual != expected { return false }
            position += 1
        }
        return true
    }

    /// The end of the run of scalars satisfying `accept` that starts at `index`.
    private func run(from index: Int, while accept: (Unicode.Scalar) -> Bool) -> Int {
        var end = index
        while end < self.n, accept(self.s[end]) { end += 1 }
        return end
    }

    /// Whether the scalar before `index` cannot be part of the same word (`_` counts as word when `underscore`).
    private func boundary(before index: Int, underscore: Bool = false) -> Bool {
        guard let previous = self.at(index - 1) else { return true }
        return !(isAlnum(previous) || (underscore && previous == "_"))
    }

    private func string(_ start: Int, _ end: Int) -> String { text(self.s[start..<end]) }

    // MARK: Private keys

    /// `-----BEGIN <label> PRIVATE KEY-----` to the next `-----END`, or to the end of the text when the END line was cut off.
    private mutating func privateKeys() {
        var index = 0
        while index < self.n {
            guard self.s[index] == "-", self.matches("-----BEGIN ", at: index) else {
                index += 1
                continue
            }
            let labelStart = index + 11
            let labelEnd = self.run(from: labelStart) { isUpper($0) || isDigit($0) || $0 == " " }
            guard labelEnd - labelStart <= 60, self.matches("-----", at: labelEnd),
                self.string(labelStart, labelEnd).contains("PRIVATE KEY")
            else {
                index += 1
                continue
            }
            let bodyStart = labelEnd + 5
            var bodyEnd = bodyStart
            while bodyEnd < self.n, !self.matches("-----END", at: bodyEnd) { bodyEnd += 1 }
            var first = bodyStart
            var last = bodyEnd
            while first < last, isSpace(self.s[first]) { first += 1 }
            while last > first, isSpace(self.s[last - 1]) { last -= 1 }
            self.add(.privateKey, first, last)
            index = bodyEnd
        }
    }

    // MARK: Vendor-prefixed tokens

    private mutating func prefixedTokens() {
        for index in 0..<self.n {
            switch self.s[index] {
            case "A": self.awsKey(at: index)
            case "g": self.githubToken(at: index)
            case "x": self.slackToken(at: index)
            case "s", "r": self.stripeKey(at: index)
            default: break
            }
        }
    }

    /// `AKIA`/`ASIA` and exactly 16 uppercase letters or digits, as a whole word.
    private mutating func awsKey(at index: Int) {
        guard self.boundary(before: index), self.matches("AKIA", at: index) || self.matches("ASIA", at: index) else { return }
        let end = self.run(from: index + 4) { isUpper($0) || isDigit($0) }
        guard end - index == 20, !(self.at(end).map(isAlnum) ?? false) else { return }
        self.add(.awsAccessKey, index, end)
    }

    /// `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` and 36+ letters or digits; `github_pat_` and 22+ letters, digits or `_`.
    private mutating func githubToken(at index: Int) {
        guard self.boundary(before: index, underscore: true) else { return }
        if self.matches("github_pat_", at: index) {
            let end = self.run(from: index + 11) { isAlnum($0) || $0 == "_" }
            if end - (index + 11) >= 22 { self.add(.githubToken, index, end) }
            return
        }
        guard self.matches("gh", at: index), let kind = self.at(index + 2), "pousr".unicodeScalars.contains(kind),
            self.at(index + 3) == "_"
        else { return }
        let end = self.run(from: index + 4, while: isAlnum)
        if end - (index + 4) >= 36 { self.add(.githubToken, index, end) }
    }

    /// `xoxb-`/`xoxa-`/`xoxp-`/`xoxr-`/`xoxs-` and 10+ letters, digits or `-` including a digit (Slack ids are numeric).
    private mutating func slackToken(at index: Int) {
        guard self.boundary(before: index), self.matches("xox", at: index), let kind = self.at(index + 3),
            "baprs".unicodeScalars.contains(kind), self.at(index + 4) == "-"
        else { return }
        var end = self.run(from: index + 5) { isAlnum($0) || $0 == "-" }
        while end > index + 5, self.s[end - 1] == "-" { end -= 1 }
        guard end - (index + 5) >= 10, self.s[(index + 5)..<end].contains(where: isDigit) else { return }
        self.add(.slackToken, index, end)
    }

    /// `sk_live_`/`rk_live_` and 16+ letters or digits (test-mode keys are not secrets).
    private mutating func stripeKey(at index: Int) {
        guard self.boundary(before: index, underscore: true),
            self.matches("sk_live_", at: index) || self.matches("rk_live_", at: index)
        else { return }
        let end = self.run(from: index + 8, while: isAlnum)
        if end - (index + 8) >= 16 { self.add(.stripeKey, index, end) }
    }

    // MARK: JWTs and bearer tokens

    /// `eyJ…​.eyJ…​.…`: a header and a payload that are base64url JSON objects (10+ scalars each) and a non-empty signature.
    private mutating func jwts() {
        var index = 0
        while index < self.n {
            guard self.s[index] == "e", self.boundary(before: index), self.at(index - 1) != "_", self.at(index - 1) != "-",
                self.matches("eyJ", at: index)
            else {
                index += 1
                continue
            }
            let headerEnd = self.run(from: index, while: isBase64URL)
            let payloadStart = headerEnd + 1
            guard headerEnd - index >= 10, self.at(headerEnd) == ".", self.matches("eyJ", at: payloadStart) else {
                index = headerEnd
                continue
            }
            let payloadEnd = self.run(from: payloadStart, while: isBase64URL)
            let signatureEnd = self.run(from: payloadEnd + 1, while: isBase64URL)
            guard payloadEnd - payloadStart >= 10, self.at(payloadEnd) == ".", signatureEnd > payloadEnd + 1 else {
                index = payloadStart
                continue
            }
            self.add(.jwt, index, signatureEnd)
            index = signatureEnd
        }
    }

    /// `Bearer <token>` (any case): 16+ token68 scalars holding a digit or both letter cases, so "bearer authentication/authorization" stays.
    private mutating func bearerTokens() {
        for index in 0..<self.n where lowerASCII(self.s[index]) == "b" {
            guard self.boundary(before: index), self.matches("bearer", at: index, ignoringCase: true) else { continue }
            let tokenStart = self.run(from: index + 6, while: isHorizontalSpace)
            guard tokenStart > index + 6 else { continue }
            var tokenEnd = self.run(from: tokenStart) { isAlnum($0) || "._~+/=-".unicodeScalars.contains($0) }
            while tokenEnd > tokenStart, self.s[tokenEnd - 1] == "." { tokenEnd -= 1 }  // a sentence's full stop
            let token = self.s[tokenStart..<tokenEnd]
            guard token.count >= 16,
                token.contains(where: isDigit) || (token.contains(where: isUpper) && token.contains(where: isLower))
            else { continue }
            self.add(.bearerToken, tokenStart, tokenEnd)
        }
    }

    // MARK: Credential assignments

    /// Longest first, so `client_secret` is tried before the `secret` inside it.
    private static let credentialKeys = [
        "client_secret", "access_token", "auth_token", "password", "api_key", "passwd", "apikey", "secret",
    ]

    /// `<key>` + optional closing quote + `=`, `:`, `:=` or `=>` + optional opening quote + the value.
    ///
    /// The key may end a longer name (`DB_PASSWORD`, `x-api_key`) but not a word (`mypassword`). Quoted values are literals
    /// and only need 6+ scalars and no spaces. Unquoted ones also must not be a reference in code (`self.password`,
    /// `getpass()`, `db_password`) and, after `:` or a spaced `=`, must not be a plain word unless the key starts its line
    /// and the value ends it (YAML/INI): that keeps "reset your password: please" and `password: String` out.
    private mutating func credentialAssignments() {
        for index in 0..<self.n where self.boundary(before: index) {
            guard let key = Self.credentialKeys.first(where: { self.matches($0, at: index, ignoringCase: true) }) else { continue }
            self.credentialValue(keyStart: index, keyEnd: index + key.unicodeScalars.count)
        }
    }

    private mutating func credentialValue(keyStart: Int, keyEnd: Int) {
        var index = keyEnd
        if let quote = self.at(index), quote == "\"" || quote == "'" { index += 1 }
        let afterKey = self.run(from: index, while: isHorizontalSpace)
        var loose = afterKey > index
        index = afterKey
        switch self.at(index) {
        case "="?:
            if self.at(index + 1) == "=" { return }
            if self.at(index + 1) == ">" {
                loose = true
                index += 1
            }
        case ":"?:
            if self.at(index + 1) == ":" { return }
            if self.at(index + 1) == "=" { index += 1 }
            loose = true
        default: return
        }
        index += 1
        let valueStart = self.run(from: index, while: isHorizontalSpace)
        if valueStart > index { loose = true }

        if let quote = self.at(valueStart), isQuote(quote) {
            var close = valueStart + 1
            while close < self.n, self.s[close] != quote, !isLineBreak(self.s[close]) { close += 1 }
            if self.at(close) == quote {
                let value = Array(self.s[(valueStart + 1)..<close])
                guard value.count >= 6, !value.contains(where: isSpace), !isPlaceholder(value) else { return }
                self.add(.apiKeyAssignment, valueStart + 1, close)
                return
            }
            // No closing quote on the line: take what follows as an unquoted value.
            self.unquotedCredential(keyStart: keyStart, valueStart: valueStart + 1, loose: loose)
        } else {
            self.unquotedCredential(keyStart: keyStart, valueStart: valueStart, loose: loose)
        }
    }

    private mutating func unquotedCredential(keyStart: Int, valueStart: Int, loose: Bool) {
        // `;`, `,` and `&` end values in connection strings, argument lists and query strings.
        let runEnd = self.run(from: valueStart) { !isSpace($0) && !isQuote($0) && !";,&".unicodeScalars.contains($0) }
        var end = runEnd
        while end > valueStart, ".)]}>".unicodeScalars.contains(self.s[end - 1]) { end -= 1 }
        let value = Array(self.s[valueStart..<end])
        guard value.count >= 6, !isPlaceholder(Array(self.s[valueStart..<runEnd])), !isPlaceholder(value), !isCodeReference(value)
        else { return }
        if loose, isPlainWord(value), !(self.keyStartsLine(keyStart) && self.lineEnds(after: runEnd)) { return }
        self.add(.apiKeyAssignment, valueStart, end)
    }

    /// Only indentation, an optional YAML `- `, quotes and the rest of the key's name precede the key on its line.
    private func keyStartsLine(_ keyStart: Int) -> Bool {
        var index = keyStart
        while let previous = self.at(index - 1), isAlnum(previous) || "_.-\"'".unicodeScalars.contains(previous) { index -= 1 }
        while let previous = self.at(index - 1), isHorizontalSpace(previous) || previous == "-" { index -= 1 }
        return index == 0 || isLineBreak(self.s[index - 1])
    }

    private func lineEnds(after index: Int) -> Bool {
        let end = self.run(from: index, while: isHorizontalSpace)
        return end == self.n || isLineBreak(self.s[end])
    }

    // MARK: URL passwords

    /// `scheme://user:password@host`: the password. URLs without a `user:password@` part are left alone.
    private mutating func urlPasswords() {
        var index = 1
        while index < self.n {
            guard self.s[index] == ":", self.matches("://", at: index), isAlnum(self.s[index - 1]) else {
                index += 1
                continue
            }
            let authorityStart = index + 3
            let authorityEnd = self.run(from: authorityStart) { !isSpace($0) && !isQuote($0) && !"/?#<>".unicodeScalars.contains($0) }
            if let atSign = self.s[authorityStart..<authorityEnd].lastIndex(of: "@"),
                let colon = self.s[authorityStart..<atSign].firstIndex(of: ":")
            {
                let password = Array(self.s[(colon + 1)..<atSign])
                if !password.isEmpty, !isPlaceholder(password) { self.add(.apiKeyAssignment, colon + 1, atSign) }
            }
            index = max(authorityEnd, index + 1)
        }
    }

    // MARK: High-entropy .env values

    /// `NAME=VALUE` lines (NAME in uppercase letters, digits and `_`; optional `export`, quotes and trailing `# comment`)
    /// whose value has 20+ scalars, no spaces, Shannon entropy >= 3.5 bits per scalar and at least two of lower, upper, digit.
    /// UUIDs, URLs, paths, host names, e-mail addresses, `$REFERENCES` and hex digests named as such are not secrets.
    private mutating func highEntropyAssignments() {
        var lineStart = 0
        while lineStart < self.n {
            var lineEnd = lineStart
            while lineEnd < self.n, self.s[lineEnd] != "\n" { lineEnd += 1 }
            self.highEntropyLine(lineStart, lineEnd)
            lineStart = lineEnd + 1
        }
    }

    private mutating func highEntropyLine(_ lineStart: Int, _ lineEnd: Int) {
        var index = self.run(from: lineStart, while: isHorizontalSpace)
        if self.matches("export ", at: index) { index = self.run(from: index + 7, while: isHorizontalSpace) }
        let nameStart = index
        let nameEnd = self.run(from: nameStart) { isUpper($0) || isDigit($0) || $0 == "_" }
        guard nameEnd > nameStart, !isDigit(self.s[nameStart]), self.s[nameStart..<nameEnd].contains(where: isUpper) else { return }
        index = self.run(from: nameEnd, while: isHorizontalSpace)
        guard self.at(index) == "=" else { return }
        index = self.run(from: index + 1, while: isHorizontalSpace)

        let valueStart: Int
        let valueEnd: Int
        var rest: Int
        if let quote = self.at(index), quote == "\"" || quote == "'" {
            valueStart = index + 1
            var close = valueStart
            while close < lineEnd, self.s[close] != quote { close += 1 }
            guard close < lineEnd else { return }
            valueEnd = close
            rest = close + 1
        } else {
            valueStart = index
            valueEnd = self.run(from: valueStart) { !isSpace($0) }
            rest = valueEnd
        }
        rest = self.run(from: rest, while: isSpace)
        guard rest >= lineEnd || self.s[rest] == "#" else { return }

        let value = Array(self.s[valueStart..<valueEnd])
        guard value.count >= 20, !value.contains(where: isSpace) else { return }
        let classes = [value.contains(where: isLower), value.contains(where: isUpper), value.contains(where: isDigit)]
        guard classes.filter({ $0 }).count >= 2, shannonEntropy(value) >= 3.5 else { return }
        guard !isUUID(value), !looksLikeLocation(value), value.first != "$" else { return }
        if value.allSatisfy(isHex) {
            let name = self.string(nameStart, nameEnd)
            if ["SHA", "COMMIT", "HASH", "DIGEST", "CHECKSUM", "REVISION"].contains(where: { name.contains($0) }) { return }
        }
        self.add(.highEntropy, valueStart, valueEnd)
    }
}

// MARK: - Scalar classes and value heuristics

private func isUpper(_ c: Unicode.Scalar) -> Bool { c.value >= 0x41 && c.value <= 0x5A }
private func isLower(_ c: Unicode.Scalar) -> Bool { c.value >= 0x61 && c.value <= 0x7A }
private func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
private func isAlnum(_ c: Unicode.Scalar) -> Bool { isUpper(c) || isLower(c) || isDigit(c) }
private func isHex(_ c: Unicode.Scalar) -> Bool { isDigit(c) || ((c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x66) }
private func isBase64URL(_ c: Unicode.Scalar) -> Bool { isAlnum(c) || c == "_" || c == "-" }
private func isQuote(_ c: Unicode.Scalar) -> Bool { c == "\"" || c == "'" || c == "`" }
private func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }
func isLineBreak(_ c: Unicode.Scalar) -> Bool { c == "\n" || c == "\r" }
private func isHorizontalSpace(_ c: Unicode.Scalar) -> Bool { isSpace(c) && !isLineBreak(c) }
private func lowerASCII(_ c: Unicode.Scalar) -> Unicode.Scalar { isUpper(c) ? Unicode.Scalar(c.value + 0x20)! : c }

private func text(_ scalars: some Sequence<Unicode.Scalar>) -> String {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars)
    return String(view)
}

/// Values people write instead of a secret: `******`, `xxxxxx`, `<redacted>`, `[REDACTED]`, `{{ secret }}`, `$DB_PASSWORD`, `%(pw)s`.
private func isPlaceholder(_ value: [Unicode.Scalar]) -> Bool {
    guard let first = value.first, let last = value.last else { return true }
    if value.allSatisfy({ "*xX•.#_-?".unicodeScalars.contains($0) }) { return true }
    if first == "$", let second = value.dropFirst().first, isUpper(second) || isLower(second) || "_{(".unicodeScalars.contains(second) {
        return true
    }
    if (first == "<" && last == ">") || (first == "[" && last == "]") || (first == "{" && last == "}") { return true }
    let lowered = text(value).lowercased()
    if lowered.hasPrefix("{{") || lowered.hasPrefix("%(") { return true }
    return [
        "redacted", "masked", "hidden", "removed", "omitted", "placeholder", "undefined", "required", "optional", "string",
    ].contains(lowered)
}

/// Unquoted values that name something in code rather than being a secret: calls and subscripts (`getpass()`, `env[`),
/// member paths (`self.password`, `process.env.PW`) and variables named after the key (`password`, `db_password`, `apiKey`).
private func isCodeReference(_ value: [Unicode.Scalar]) -> Bool {
    if value.contains("(") || value.contains("[") { return true }
    let parts = value.split(separator: ".", omittingEmptySubsequences: false)
    if parts.count >= 2, parts.allSatisfy(isIdentifier), parts[0].allSatisfy({ isUpper($0) || isLower($0) || $0 == "_" }) {
        return true
    }
    guard isIdentifier(value[...]) else { return false }
    let lowered = value.map(lowerASCII)
    for key in ["password", "passwd", "secret", "api_key", "apikey", "access_token", "accesstoken", "auth_token", "authtoken"] {
        let suffix = Array(key.unicodeScalars)
        guard lowered.count >= suffix.count, Array(lowered.suffix(suffix.count)) == suffix else { continue }
        let cut = value.count - suffix.count
        if cut == 0 || value[cut - 1] == "_" || (isUpper(value[cut]) && !isUpper(value[cut - 1])) { return true }
    }
    return false
}

private func isIdentifier(_ part: ArraySlice<Unicode.Scalar>) -> Bool {
    guard let first = part.first, !isDigit(first) else { return false }
    return part.allSatisfy { isAlnum($0) || $0 == "_" }
}

/// Letters only, ignoring a trailing `?`/`!`: a word of prose or a type name rather than a password.
private func isPlainWord(_ value: [Unicode.Scalar]) -> Bool {
    var word = value[...]
    while let last = word.last, last == "?" || last == "!" { word = word.dropLast() }
    return !word.isEmpty && word.allSatisfy { $0.properties.isAlphabetic }
}

private func isUUID(_ value: [Unicode.Scalar]) -> Bool {
    guard value.count == 36 else { return false }
    return value.indices.allSatisfy { [8, 13, 18, 23].contains($0) ? value[$0] == "-" : isHex(value[$0]) }
}

/// URLs, file paths, host names and e-mail addresses: long and varied, but not secret.
private func looksLikeLocation(_ value: [Unicode.Scalar]) -> Bool {
    let string = text(value)
    if string.contains("://") { return true }
    if ["/", "./", "../", "~/"].contains(where: { string.hasPrefix($0) }) { return true }
    if value.count >= 3, isUpper(value[0]) || isLower(value[0]), value[1] == ":", value[2] == "\\" { return true }
    // host.name.tld, user@example.com
    guard value.allSatisfy({ isAlnum($0) || "._%+@-".unicodeScalars.contains($0) }),
        let dot = value.lastIndex(of: ".")
    else { return false }
    let tld = value[(dot + 1)...]
    return tld.count >= 2 && tld.allSatisfy { isUpper($0) || isLower($0) }
}

private func shannonEntropy(_ value: [Unicode.Scalar]) -> Double {
    var counts: [Unicode.Scalar: Int] = [:]
    for scalar in value { counts[scalar, default: 0] += 1 }
    let total = Double(value.count)
    return counts.values.reduce(0) { entropy, count in
        let p = Double(count) / total
        return entropy - p * log2(p)
    }
}
