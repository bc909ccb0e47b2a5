/// A configuration value that stops the server from starting; the message names the variable and the fix.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
