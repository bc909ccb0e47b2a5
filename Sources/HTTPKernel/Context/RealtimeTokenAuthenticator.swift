import API
import Realtime

/// The realtime transports authenticate with the same bearer checks as REST (Realtime does not import API).
struct RealtimeTokenAuthenticator: RealtimeAuthenticator {
    let bearer: BearerAuthenticator<AppRequestContext>

    func identity(forToken token: String) async throws -> RealtimeIdentity {
        let (user, expiresAt) = try await self.bearer.identity(forToken: token)
        return RealtimeIdentity(user: user, expiresAt: expiresAt)
    }
}
