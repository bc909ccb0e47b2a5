import Hummingbird

extension Request {
    /// The path as the router matches it: empty segments do not count, so `//metrics/` reaches `/metrics`, and a
    /// middleware that guards a route must compare this, not the raw path.
    var routedPath: String {
        "/" + self.uri.path.split(separator: "/").joined(separator: "/")
    }
}
