import Foundation

/// What kind of secret was found (wire names in snake_case via rawValue).
public enum SecretKind: String, Sendable, Codable, CaseIterable {
    case awsAccessKey = "aws_access_key"
    case privateKey = "private_key"
    case jwt = "jwt"
    case bearerToken = "bearer_token"
    case githubToken = "github_token"
    case slackToken = "slack_token"
    case stripeKey = "stripe_key"
    /// `password=…`, `"api_key": "…"`, and the password part of `scheme://user:password@host`.
    case apiKeyAssignment = "credential_assignment"
    case highEntropy = "high_entropy"

    /// Lower wins when two findings start at the same scalar: a token with a vendor prefix says more than the key it is assigned to.
    var rank: Int {
        switch self {
        case .privateKey: 0
        case .awsAccessKey: 1
        case .githubToken: 2
        case .slackToken: 3
        case .stripeKey: 4
        case .jwt: 5
        case .bearerToken: 6
        case .apiKeyAssignment: 7
        case .highEntropy: 8
        }
    }
}

/// One masked secret: its kind and where it was, in Unicode scalar offsets of the ORIGINAL text (never the value).
public struct SecretFinding: Sendable, Equatable, Codable {
    public let kind: SecretKind
    /// Offset in Unicode scalars.
    public let start: Int
    /// Length in Unicode scalars.
    public let length: Int

    public init(kind: SecretKind, start: Int, length: Int) {
        self.kind = kind
        self.start = start
        self.length = length
    }

    private enum CodingKeys: String, CodingKey { case kind, start, length }
}

/// What a write does with text that holds secrets: store it masked, refuse it, or store it as sent.
public enum SecretPolicy: String, Sendable, CaseIterable { case mask, reject, off }

/// Masks recognisable secrets before user text is stored.
///
/// Hand-written scanning over the text's Unicode scalars, so every offset is a scalar offset and emoji cannot shift them.
/// The rules lean towards shapes that real secrets have and prose, code, UUIDs, SHAs, paths and plain URLs do not.
public enum SecretScanner {
    /// Finds secrets, ordered by position. Where findings overlap, the one that starts first (on a tie, the more specific kind)
    /// is kept and stretched to cover the others, so each scalar is in at most one finding and nothing is left half-masked.
    public static func findings(in text: String) -> [SecretFinding] {
        var detector = SecretDetector(Array(text.unicodeScalars))
        return detector.run()
    }

    /// The text with every finding masked, and the findings.
    ///
    /// A value of 12 or more scalars keeps its first 4 (`AKIA****************`), a shorter one becomes all `*`.
    /// A private key keeps its BEGIN/END lines and its line breaks; every other scalar of its body becomes `*`.
    /// Each masked scalar becomes one `*`, so the scalar length and the findings' offsets stay valid.
    public static func mask(_ text: String) -> (text: String, findings: [SecretFinding]) {
        var scalars = Array(text.unicodeScalars)
        var detector = SecretDetector(scalars)
        let found = detector.run()
        guard !found.isEmpty else { return (text, []) }
        for finding in found {
            let end = finding.start + finding.length
            if finding.kind == .privateKey {
                for index in finding.start..<end where !isLineBreak(scalars[index]) { scalars[index] = "*" }
            } else {
                let kept = finding.length >= 12 ? 4 : 0
                for index in (finding.start + kept)..<end { scalars[index] = "*" }
            }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return (String(view), found)
    }
}
