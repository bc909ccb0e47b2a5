import HummingbirdAuth
import Models

extension AuthRequestContext where Identity == User {
    /// The authenticated caller, or 401 with a problem body (Hummingbird's own `requireIdentity` answers a bare 401).
    public func requireUser() throws -> User {
        guard let user = self.identity else { throw DomainError.unauthorized("Authentication required") }
        return user
    }
}
