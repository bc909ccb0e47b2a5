/// The paths and methods openapi.yaml declares, used to answer 405 with an Allow header.
///
/// Hummingbird answers 404 for a known path asked with another method; the contract already lists every
/// operation, so reading it keeps the Allow header and the spec from disagreeing.
struct OpenAPIRouteIndex: Sendable {
    private let routes: [(segments: [Substring], methods: [String])]

    private static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "options", "head", "trace"]

    /// Reads the `paths:` section: a path is a two-space-indented key, its operations four-space-indented method keys.
    init(openAPIDocument: String) {
        var routes: [(segments: [Substring], methods: [String])] = []
        var inPaths = false
        for line in openAPIDocument.split(separator: "\n", omittingEmptySubsequences: true) {
            if !line.hasPrefix(" ") {
                inPaths = line.hasPrefix("paths:")
            } else if inPaths, line.hasPrefix("  /"), line.hasSuffix(":") {
                let path = line.dropFirst(2).dropLast()
                routes.append((path.split(separator: "/"), []))
            } else if inPaths, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), !routes.isEmpty {
                let key = String(line.dropFirst(4).dropLast())
                if Self.methods.contains(key) { routes[routes.count - 1].methods.append(key.uppercased()) }
            }
        }
        self.routes = routes
    }

    /// The methods the contract allows on a concrete path, or nil if it declares no such path.
    ///
    /// HEAD comes with every GET (RFC 9110; monitors probe `/health` with it): the router derives it from the GET
    /// handler, so the contract need not list it.
    ///
    /// Where templates overlap (`messages/stats` and `messages/{message_id}`), the one with literal segments earliest wins,
    /// as in the router, which tries a literal segment before a parameter and does not fall back.
    func allowedMethods(forPath path: String) -> [String]? {
        let segments = path.split(separator: "/")
        let matches = self.routes.filter { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { template, actual in Self.isParameter(template) || template == actual }
        }
        let best = matches.max { first, second in
            first.segments.map { Self.isParameter($0) ? 0 : 1 }.lexicographicallyPrecedes(second.segments.map { Self.isParameter($0) ? 0 : 1 })
        }
        return best.map { route in
            (route.methods.contains("GET") && !route.methods.contains("HEAD") ? route.methods + ["HEAD"] : route.methods).sorted()
        }
    }

    private static func isParameter(_ segment: Substring) -> Bool {
        segment.hasPrefix("{") && segment.hasSuffix("}")
    }

    /// Every declared operation as (method, path template), for tests that check each one is routed.
    var operations: [(method: String, path: String)] {
        self.routes.flatMap { route in route.methods.map { ($0, "/" + route.segments.joined(separator: "/")) } }
    }
}
