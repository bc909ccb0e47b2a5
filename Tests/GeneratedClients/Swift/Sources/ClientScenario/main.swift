// One collaboration scenario through the Swift client that swift-openapi-generator generates from openapi.yaml at
// build time. Usage: ClientScenario BASE_URL. Every step goes through the generated, typed API and checks the typed
// answer; the first mismatch exits non-zero naming the step. scripts/client-test runs it against a live server, after
// the same steps through the generated Python client (Tests/GeneratedClients/python/scenario.py).
import Foundation
import HTTPTypes
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

struct ScenarioFailure: Error, CustomStringConvertible {
    var description: String
}

func check(_ condition: Bool, _ step: String, _ detail: @autoclosure () -> Any) throws {
    guard condition else { throw ScenarioFailure(description: "\(step): \(detail())") }
}

/// Runs one step, so that an unexpected answer (which the generated getters throw) names the step it broke.
func step<Result>(_ name: String, _ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let failure as ScenarioFailure {
        throw failure
    } catch {
        throw ScenarioFailure(description: "\(name): \(error)")
    }
}

/// Signs every request of a client in as one user.
struct BearerToken: ClientMiddleware {
    var accessToken: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(self.accessToken)"
        return try await next(request, body, baseURL)
    }
}

func makeClient(serverURL: URL, accessToken: String? = nil) -> Client {
    // The server writes its timestamps with milliseconds, which the default ISO 8601 transcoder refuses.
    Client(
        serverURL: serverURL, configuration: .init(dateTranscoder: .iso8601WithFractionalSeconds), transport: AsyncHTTPClientTransport(),
        middlewares: accessToken.map { [BearerToken(accessToken: $0)] } ?? []
    )
}

func runScenario(serverURL: URL) async throws {
    // Unique per run, so the scenario also passes against a server that has seen it before.
    let suffix = UUID().uuidString.prefix(8).lowercased()
    let password = "scenario-password"
    let hostName = "host_\(suffix)"
    let memberName = "member_\(suffix)"
    let anonymous = makeClient(serverURL: serverURL)

    let host = try await step("register host") {
        let registration = Components.Schemas.Registration(email: "\(hostName)@example.com", username: hostName, password: password)
        return try await anonymous.register(body: .json(registration)).created.body.json
    }
    try check(host.username == hostName, "register host", host)
    let member = try await step("register member") {
        let registration = Components.Schemas.Registration(email: "\(memberName)@example.com", username: memberName, password: password)
        return try await anonymous.register(body: .json(registration)).created.body.json
    }

    let firstTokens = try await step("login") {
        try await anonymous.login(body: .json(.init(username: hostName, password: password))).ok.body.json
    }
    let tokens = try await step("refresh") {
        try await anonymous.refreshTokens(body: .json(.init(refreshToken: firstTokens.refreshToken))).ok.body.json
    }
    try check(tokens.refreshToken != firstTokens.refreshToken, "refresh", "the refresh token did not rotate")
    let asHost = makeClient(serverURL: serverURL, accessToken: tokens.accessToken)
    let memberTokens = try await step("login member") {
        try await anonymous.login(body: .json(.init(username: memberName, password: password))).ok.body.json
    }
    let asMember = makeClient(serverURL: serverURL, accessToken: memberTokens.accessToken)

    // The generated Team has no `role` to check: swift-openapi-generator drops a property whose oneOf has a null branch.
    let team = try await step("create team") {
        try await asHost.createTeam(body: .json(.init(name: "Engines \(suffix)"))).created.body.json
    }
    let membership = try await step("add team member") {
        try await asHost.addTeamMember(path: .init(teamId: team.id), body: .json(.init(userId: member.id, role: .member))).created.body.json
    }
    try check(membership.userId == member.id && membership.role == .member, "add team member", membership)

    let session = try await step("create session") {
        let draft = Components.Schemas.SessionCreate(
            _type: "claude_code", tokenCount: 1200, tokenLimit: 200_000, projectName: "engine", teamId: team.id, visibility: .team
        )
        return try await asHost.createSession(body: .json(draft)).created.body.json
    }
    try check(session.teamId == team.id && session.visibility == .team, "create session", session)
    try check(session.tokenLimit == 200_000, "create session", "token_limit is \(String(describing: session.tokenLimit))")
    // Mentions reach the session's participants, so the member joins it first.
    let participant = try await step("invite participant") {
        try await asHost.inviteParticipant(path: .init(sessionId: session.id), body: .json(.init(userId: member.id, role: .viewer))).created.body.json
    }
    try check(participant.userId == member.id, "invite participant", participant)

    // A code comment: MessageKind and the file:line pair it requires.
    let message = try await step("post message") {
        let text = Components.Schemas.MessageCreate(
            _type: .comment, content: "@\(memberName) this loop is off by one", file: "engine.py", line: 42)
        return try await asHost.postMessage(path: .init(sessionId: session.id), body: .json(text)).created.body.json
    }
    try check(message.mentions == [member.id], "post message", "mentions are \(message.mentions)")
    try check(message._type == .comment && message.line == 42, "post message", message)
    let reactions = try await step("add reaction") {
        try await asHost.addReaction(path: .init(sessionId: session.id, messageId: message.id), body: .json(.init(emoji: "👍"))).created.body.json
    }
    try check(reactions.reactions == [.init(emoji: "👍", count: 1, userIds: [host.id])], "add reaction", reactions.reactions)

    let events = try await step("event log") {
        try await asHost.getSessionEvents(path: .init(sessionId: session.id), query: .init(_type: .codeComment)).ok.body.json
    }
    try check(events.items.map(\._type) == [.codeComment], "event log", events.items)
    try check(events.items[0].id > 0 && events.items[0].actorId == host.id, "event log", events.items[0])
    // `data` is the frame live clients got, typed by its `type`.
    guard case .codeComment(let logged) = events.items[0].data else { throw ScenarioFailure(description: "event log: \(events.items[0].data)") }
    try check(logged.comment.id == message.id, "event log", logged)

    let analytics = try await step("team analytics") {
        try await asHost.getTeamAnalytics(query: .init(teamId: team.id)).ok.body.json
    }
    try check(analytics.teamId == team.id && analytics.totalSessions == 1, "team analytics", analytics)
    try check(analytics.totalTokens == 1200, "team analytics", "total_tokens is \(analytics.totalTokens)")

    let insight = try await step("create insight") {
        let draft = Components.Schemas.InsightCreate(
            title: "Keyset pagination", content: "Offsets shift under inserts", insightType: .pattern, teamId: team.id, sessionId: session.id
        )
        return try await asHost.createInsight(body: .json(draft)).created.body.json
    }
    try check(insight.upvotes == 0, "create insight", insight)
    let upvoted = try await step("upvote insight") {
        try await asMember.upvoteInsight(path: .init(insightId: insight.id)).ok.body.json
    }
    try check(upvoted.upvotes == 1 && upvoted.upvoted, "upvote insight", upvoted)

    // A member who is not an admin may see the team but not delete it.
    let refusal = try await step("delete team as member") {
        try await asMember.deleteTeam(path: .init(teamId: team.id)).forbidden.body.applicationProblemJson
    }
    try check(refusal.status == 403 && refusal.errorCode == .permissionDenied, "delete team as member", refusal)
}

guard CommandLine.arguments.count == 2, let serverURL = URL(string: CommandLine.arguments[1]) else {
    FileHandle.standardError.write(Data("usage: ClientScenario BASE_URL\n".utf8))
    exit(2)
}
do {
    try await runScenario(serverURL: serverURL)
    print("swift client scenario passed")
} catch {
    FileHandle.standardError.write(Data("swift client scenario FAILED at \(error)\n".utf8))
    exit(1)
}
