import Models

/// A resume point (`since`, `Last-Event-ID`), as both transports read it.
enum ResumePoint {
    static func parse(_ text: String?) throws(DomainError) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        guard let id = Int64(text), id >= 0 else { throw .invalid("since", "must be an event id (a non-negative integer)") }
        return id
    }
}
