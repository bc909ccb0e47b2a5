/// The port for password hashing, so the domain states when to hash and the API layer decides how (bcrypt).
///
/// Implementations do their work off the event loop; both calls may take tens of milliseconds.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, against hash: String) async throws -> Bool
    /// A hash of a random password at the configured cost: a login naming nobody is checked against it,
    /// so a response's timing does not reveal which accounts exist.
    var decoyHash: String { get }
}
