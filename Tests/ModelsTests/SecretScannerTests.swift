import Foundation
import Models
import Testing

/// A text holding exactly one secret, where it is and what masking makes of the text.
struct SecretCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let kind: SecretKind
    let start: Int
    let length: Int
    let masked: String

    var testDescription: String { self.name }
}

private let sampleJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmN"

@Suite("Masking secrets in user text")
struct SecretScannerTests {
    static let secrets: [SecretCase] = [
        SecretCase(
            name: "AWS access key id", text: "key AKIAIOSFODNN7EXAMPLE here", kind: .awsAccessKey, start: 4, length: 20,
            masked: "key AKIA**************** here"),
        SecretCase(
            name: "AWS temporary key id", text: "ASIAY34FZKBOKMUTVV7A", kind: .awsAccessKey, start: 0, length: 20,
            masked: "ASIA****************"),
        SecretCase(
            name: "private key block",
            text: "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----\n",
            kind: .privateKey, start: 32, length: 12,
            masked: "-----BEGIN RSA PRIVATE KEY-----\n******\n*****\n-----END RSA PRIVATE KEY-----\n"),
        SecretCase(
            name: "private key cut off before END", text: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNz\naC1rZXkt",
            kind: .privateKey, start: 36, length: 17, masked: "-----BEGIN OPENSSH PRIVATE KEY-----\n********\n********"),
        SecretCase(
            name: "JWT", text: "token \(sampleJWT) end", kind: .jwt, start: 6, length: 65,
            masked: "token eyJh" + String(repeating: "*", count: 61) + " end"),
        SecretCase(
            name: "bearer token", text: "Authorization: Bearer abcDEF1234567890ghijKLMN", kind: .bearerToken, start: 22,
            length: 24, masked: "Authorization: Bearer abcD********************"),
        SecretCase(
            name: "GitHub classic token", text: "GH: ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R", kind: .githubToken, start: 4,
            length: 40, masked: "GH: ghp_" + String(repeating: "*", count: 36)),
        SecretCase(
            name: "GitHub fine-grained token", text: "github_pat_11ABCDEFG0123456789_abcdefghij", kind: .githubToken,
            start: 0, length: 41, masked: "gith" + String(repeating: "*", count: 37)),
        SecretCase(
            name: "Slack token", text: "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKl", kind: .slackToken, start: 6,
            length: 44, masked: "slack xoxb" + String(repeating: "*", count: 40)),
        SecretCase(
            name: "Stripe live key", text: "sk_live_4eC39HqLyjWDarjtT1zdp7dc", kind: .stripeKey, start: 0, length: 32,
            masked: "sk_l" + String(repeating: "*", count: 28)),
        SecretCase(
            name: "short password is masked whole", text: "password=hunter22", kind: .apiKeyAssignment, start: 9,
            length: 8, masked: "password=********"),
        SecretCase(
            name: "YAML password, a plain word", text: "db:\n  db_password: changeme\n", kind: .apiKeyAssignment,
            start: 19, length: 8, masked: "db:\n  db_password: ********\n"),
        SecretCase(
            name: "JSON password", text: #"{"user": "ann", "password": "s3cr3t!"}"#, kind: .apiKeyAssignment, start: 29,
            length: 7, masked: #"{"user": "ann", "password": "*******"}"#),
        SecretCase(
            name: "API key in a query string", text: "GET /v1?API_KEY=abcdef123456&page=2", kind: .apiKeyAssignment,
            start: 16, length: 12, masked: "GET /v1?API_KEY=abcd********&page=2"),
        SecretCase(
            name: "password in a connection string", text: "Server=db;Password=Pa55w0rd!;Database=x",
            kind: .apiKeyAssignment, start: 19, length: 9, masked: "Server=db;Password=*********;Database=x"),
        SecretCase(
            name: "password in a URL", text: "postgres://admin:S3cretPass@db.example.com/app", kind: .apiKeyAssignment,
            start: 17, length: 10, masked: "postgres://admin:**********@db.example.com/app"),
        SecretCase(
            name: "high-entropy .env value", text: "SESSION_KEY=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5", kind: .highEntropy,
            start: 12, length: 28, masked: "SESSION_KEY=Zm9v" + String(repeating: "*", count: 24)),
        SecretCase(
            name: "quoted, exported .env value", text: #"export API_SIGNING="wJalrXUtnFEMI/K7MDENG/bPxRfiCY" # prod"#,
            kind: .highEntropy, start: 20, length: 30,
            masked: #"export API_SIGNING="wJal**************************" # prod"#),
    ]

    @Test("finds and masks each kind of secret", arguments: Self.secrets)
    func masksSecret(_ secret: SecretCase) {
        let result = SecretScanner.mask(secret.text)
        #expect(result.findings == [SecretFinding(kind: secret.kind, start: secret.start, length: secret.length)])
        #expect(result.text == secret.masked)
        #expect(result.text.unicodeScalars.count == secret.text.unicodeScalars.count)
        #expect(SecretScanner.findings(in: secret.text) == result.findings)
    }

    static let innocent: [String] = [
        // prose
        "Please reset your password: please use the link we sent you.",
        "The password must be 12+ characters, e.g. secret: use a manager.",
        "Use Bearer tokens; the bearer authentication/authorization scheme is described in RFC 6750.",
        // identifiers that look random but are not secrets
        "Session 123e4567-e89b-12d3-a456-426614174000 was created.",
        "Fixed in da39a3ee5e6b4b0d3255bfef95601890afd80709.",
        "TENANT_ID=123e4567-e89b-12d3-a456-426614174000",
        "GIT_SHA=da39a3ee5e6b4b0d3255bfef95601890afd80709",
        // paths and URLs without credentials
        "See /usr/local/lib/python3.11/site-packages and https://example.com:8080/docs?page=2#top",
        "ssh://git@github.com/org/repo.git",
        "API_HOST=api-eu-west-2.staging.example.com",
        // vendor prefixes without a token
        "AKIA is the prefix of AWS key ids; AKIAIOSFODNN7EXAMPLEXX is too long to be one.",
        "ghp_tooShort123 and github_pat_short",
        "xoxb-abcdefghijklmnop has no team id",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc is a test-mode key",
        "JWT headers start with eyJhbGciOiJIUzI1NiJ9 and that is all.",
        "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----",
        "Send Authorization: Bearer <token> or Bearer ${TOKEN}",
        // assignments without a real value
        "password=abc",
        "let password: String = input",
        "func login(password: String?) {}",
        "password = getpass()",
        "password = self.password",
        "connect(user=user, password=password)",
        "if password == other {}",
        #"{"password": "********"}"#,
        "secret=xxxxxx api_key=<redacted> apikey: [REDACTED] auth_token=$AUTH_TOKEN",
        #"password="correct horse battery""#,
        // .env lines with low entropy or a single character class
        "LOG_LEVEL=information_debugging_on",
        "FEATURE_FLAGS=aaaaaaaaaaaaaaaaaaaaaaaa1",
    ]

    @Test("leaves text without secrets alone", arguments: Self.innocent)
    func ignoresLookalike(_ text: String) {
        let result = SecretScanner.mask(text)
        #expect(result.findings.isEmpty)
        #expect(result.text == text)
    }

    @Test("offsets count Unicode scalars, so emoji before a secret do not shift them")
    func emojiOffsets() {
        let text = "🎉👨‍👩‍👧 AKIAIOSFODNN7EXAMPLE ✅"
        let result = SecretScanner.mask(text)
        #expect(result.findings == [SecretFinding(kind: .awsAccessKey, start: 7, length: 20)])
        #expect(result.text == "🎉👨‍👩‍👧 AKIA**************** ✅")
        #expect(result.text.unicodeScalars.count == text.unicodeScalars.count)
        #expect(Array(text.unicodeScalars)[7] == "A")
    }

    @Test("finds two secrets in one text, in order")
    func twoSecrets() {
        let text = "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\npassword=hunter22"
        let result = SecretScanner.mask(text)
        #expect(
            result.findings == [
                SecretFinding(kind: .awsAccessKey, start: 18, length: 20),
                SecretFinding(kind: .apiKeyAssignment, start: 48, length: 8),
            ])
        #expect(result.text == "AWS_ACCESS_KEY_ID=AKIA****************\npassword=********")
    }

    @Test("overlapping matches become one finding of the most specific kind")
    func overlapsMerge() {
        let bearer = SecretScanner.mask("Authorization: Bearer \(sampleJWT)")
        #expect(bearer.findings == [SecretFinding(kind: .jwt, start: 22, length: 65)])

        let assigned = SecretScanner.mask(#"{"api_key": "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "password": "hunter22"}"#)
        #expect(
            assigned.findings == [
                SecretFinding(kind: .stripeKey, start: 13, length: 32),
                SecretFinding(kind: .apiKeyAssignment, start: 61, length: 8),
            ])
        #expect(assigned.text == #"{"api_key": "sk_l****************************", "password": "********"}"#)
    }

    @Test("text without secrets comes back unchanged")
    func noSecrets() {
        let text = "Looks good to me 👍 — merging after CI passes."
        #expect(SecretScanner.findings(in: text).isEmpty)
        let result = SecretScanner.mask(text)
        #expect(result.text == text)
        #expect(result.findings.isEmpty)
        #expect(SecretScanner.mask("").text == "")
    }

    @Test("findings encode their kind by its wire name, and never the value")
    func wireFormat() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let finding = SecretFinding(kind: .apiKeyAssignment, start: 9, length: 8)
        let json = String(decoding: try encoder.encode(finding), as: UTF8.self)
        #expect(json == #"{"kind":"credential_assignment","length":8,"start":9}"#)
        #expect(try JSONDecoder().decode(SecretFinding.self, from: Data(json.utf8)) == finding)
        #expect(
            SecretKind.allCases.map(\.rawValue) == [
                "aws_access_key", "private_key", "jwt", "bearer_token", "github_token", "slack_token", "stripe_key",
                "credential_assignment", "high_entropy",
            ])
        #expect(SecretPolicy(rawValue: "reject") == .reject)
    }
}
