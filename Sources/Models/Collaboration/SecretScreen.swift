/// A secret found in one field of a write, as the response and the event report it: where and what kind, never the value.
public struct MaskedSecret: Sendable, Equatable, Codable {
    public let field: String
    public let kind: SecretKind
    /// Offset in Unicode scalars of the field's text.
    public let start: Int
    public let length: Int

    public init(field: String, finding: SecretFinding) {
        self.field = field
        self.kind = finding.kind
        self.start = finding.start
        self.length = finding.length
    }
}

/// SECRET_POLICY applied to the text fields of a write, before anything is stored or broadcast: `mask` stores them
/// with each secret masked, `reject` refuses the write (422 SECRET_DETECTED), `off` stores them as sent.
public struct SecretScreen: Sendable {
    public let policy: SecretPolicy

    public init(policy: SecretPolicy) {
        self.policy = policy
    }

    /// The fields' texts as they are to be stored (nil stays nil), in the order given, and what was masked (nil for
    /// nothing, so a response or event mentions masking only when there was some).
    public func apply(to fields: KeyValuePairs<String, String?>) throws -> (texts: [String?], masked: [MaskedSecret]?) {
        guard self.policy != .off else { return (fields.map(\.value), nil) }
        var texts: [String?] = []
        var masked: [MaskedSecret] = []
        for (field, text) in fields {
            guard let text else {
                texts.append(nil)
                continue
            }
            let screened = SecretScanner.mask(text)
            texts.append(screened.text)
            masked += screened.findings.map { MaskedSecret(field: field, finding: $0) }
        }
        if self.policy == .reject, !masked.isEmpty { throw DomainError.secretDetected(masked) }
        return (texts, masked.isEmpty ? nil : masked)
    }
}
