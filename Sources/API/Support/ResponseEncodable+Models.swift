import Hummingbird
import Models

// The domain's answers are returned by handlers as they are; the request context's encoder writes them.
extension User: ResponseEncodable {}
extension CodingSession: ResponseEncodable {}
extension Team: ResponseEncodable {}
extension TeamMember: ResponseEncodable {}
extension Participant: ResponseEncodable {}
extension SessionMessage: ResponseEncodable {}
extension MessageStats: ResponseEncodable {}
extension Insight: ResponseEncodable {}
extension TeamAnalytics: ResponseEncodable {}
extension SessionAnalytics: ResponseEncodable {}
extension PersonalAnalytics: ResponseEncodable {}
extension Page: ResponseGenerator, ResponseEncodable where Item: Encodable {}
