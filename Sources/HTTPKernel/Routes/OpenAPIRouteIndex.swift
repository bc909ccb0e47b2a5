/// The paths and methods openapi.yaml declares, used to answer 405 with an Allow header.
///
/// Hummingbird answers 404 for a known path asked with another method; the contract already lists every
/// operation, so reading it keeps the Allow header and the spec from disagreeing.
struct OpenAPIRouteIndex: Sendable {
    private struct Route: Sendable {
        let segments: [Substring]
        var methods: [String]
        /// What the router prefers where templates overlap: literal segments earliest (1 literal, 0 parameter).
        var literalPattern: [Int] { self.segments.map { OpenAPIRouteIndex.isParameter($0) ? 0 : 1 } }
        /// HEAD comes with every GET (RFC 9110; monitors probe `/health` with it): the router derives it from the GET
        /// handler, so the contract need not list it.
        var allowed: [String] { (self.methods.contains("GET") && !self.methods.contains("HEAD") ? self.methods + ["HEAD"] : self.methods).sorted() }
    }

    /// Every route, for `operations`.
    private let routes: [Route]
    /// Paths without parameters, answered by one lookup: every request passes here. (Other spellings of them, with
    /// a trailing slash say, are matched among the templates.)
    private let literalPaths: [String: [String]]
    /// Every template by segment count, the router's preferred first, each with its allowed methods.
    private let templates: [Int: [(segments: [Substring], allowed: [String])]]

    private static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "options", "head", "trace"]

    /// Reads the `paths:` section: a path is a two-space-indented key, its operations four-space-indented method keys.
    init(openAPIDocument: String) {
        var routes: [Route] = []
        var inPaths = false
        for line in openAPIDocument.split(separator: "\n", omittingEmptySubsequences: true) {
            if !line.hasPrefix(" ") {
                inPaths = line.hasPrefix("paths:")
            } else if inPaths, line.hasPrefix("  /"), line.hasSuffix(":") {
                let path = line.dropFirst(2).dropLast()
                routes.append(Route(segments: path.split(separator: "/"), methods: []))
            } else if inPaths, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), !routes.isEmpty {
                let key = String(line.dropFirst(4).dropLast())
                if Self.methods.contains(key) { routes[routes.count - 1].methods.append(key.uppercased()) }
            }
        }
        self.routes = routes
        let literal = routes.filter { !$0.literalPattern.contains(0) }
        self.literalPaths = Dictionary(literal.map { ("/" + $0.segments.joined(separator: "/"), $0.allowed) }) { first, _ in first }
        let preferredFirst = routes.sorted { $1.literalPattern.lexicographicallyPrecedes($0.literalPattern) }
        self.templates = Dictionary(grouping: preferredFirst.map { ($0.segments, $0.allowed) }) { $0.0.count }
    }

    /// The methods the contract allows on a concrete path, or nil if it declares no such path.
    ///
    /// Where templates overlap (`messages/stats` and `messages/{message_id}`), the one with literal segments earliest wins,
    /// as in the router, which tries a literal segment before a parameter and does not fall back.
    func allowedMethods(forPath path: String) -> [String]? {
        if let allowed = self.literalPaths[path] { return allowed }
        let segments = path.split(separator: "/")
        let candidates = self.templates[segments.count] ?? []
        return candidates.first { template in
            zip(template.segments, segments).allSatisfy { template, actual in Self.isParameter(template) || template == actual }
        }?.allowed
    }

    fileprivate static func isParameter(_ segment: Substring) -> Bool {
        segment.hasPrefix("{") && segment.hasSuffix("}")
    }

    /// Every declared operation as (method, path template), for tests that check each one is routed.
    var operations: [(method: String, path: String)] {
        self.routes.flatMap { route in route.methods.map { ($0, "/" + route.segments.joined(separator: "/")) } }
    }
}
