import Hummingbird
import HummingbirdAuth
import Models

/// What every API route needs of its context: the signed-in user, and the wire's JSON in both directions, so a handler
/// decodes with `request.decode(as:context:)` and returns a value, a `Page` or an `EditedResponse`.
public protocol APIRequestContext: AuthRequestContext<User>
where Self.Decoder == WireRequestDecoder, Self.Encoder == WireResponseEncoder {}
