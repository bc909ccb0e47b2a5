import HummingbirdAuth
import Models

extension AuthRequestContext where Identity == User {
    /// The authenticated caller, or `DomainError.unauthorized`: a 401 problem that says what is missing, with the
    /// vocabulary every other error uses.
    public func requireUser() throws -> User {
        guard let user = self.identity else { throw DomainError.unauthorized("Authentication required") }
        return user
    }
}
