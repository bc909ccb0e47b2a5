extension Sequence {
    /// `map` for a transform that awaits, one element after another.
    func asyncMap<Transformed>(_ transform: (Element) async throws -> Transformed) async rethrows -> [Transformed] {
        var results: [Transformed] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
