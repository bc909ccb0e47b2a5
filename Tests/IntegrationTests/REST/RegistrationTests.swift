import Foundation
import Testing

@Suite("Registration over HTTP")
struct RegistrationTests {
    @Test func registersAndNeverReturnsTheHash() async throws {
        try await withApp { client in
            let response = try await client.post(
                "/api/auth/register",
                json: ["email": "Ada@Example.com", "username": "ada", "password": "analytical-1", "full_name": "Ada Lovelace"]
            )
            #expect(response.status == 201)
            #expect(response.headers["content-type"] == "application/json")
            let user = try #require(response.json)
            #expect(user["email"] as? String == "ada@example.com")
            #expect(user["username"] as? String == "ada")
            #expect(user["full_name"] as? String == "Ada Lovelace")
            #expect(UUID(uuidString: try #require(user["id"] as? String)) != nil)
            #expect(!response.text.contains("analytical-1"))
            #expect(!response.text.contains("$2"))
            #expect((user["created_at"] as? String)?.hasSuffix("Z") == true)
        }
    }

    @Test func duplicateUsernameOrEmailIsAConflict() async throws {
        try await withApp { client in
            let first = try await client.post("/api/auth/register", json: ["email": "bob@example.com", "username": "bob", "password": "password-1"])
            #expect(first.status == 201)
            let sameName = try await client.post(
                "/api/auth/register", json: ["email": "other@example.com", "username": "BOB", "password": "password-1"])
            #expect(sameName.status == 409)
            #expect(sameName.json?["error_code"] as? String == "CONFLICT")
            let sameEmail = try await client.post(
                "/api/auth/register", json: ["email": "BOB@example.com", "username": "bobby", "password": "password-1"])
            #expect(sameEmail.status == 409)
            #expect(sameEmail.headers["content-type"] == "application/problem+json")
        }
    }

    @Test func malformedJSONIs400AndWritesNothing() async throws {
        try await withApp { client in
            for body in ["{\"email\": ", "", "not json", "{\"username\": 'carol'}", "{\"a\" 1}"] {
                let response = try await client.request(
                    "POST",
                    "/api/auth/register",
                    headers: ["Content-Type": "application/json"],
                    body: Data(body.utf8)
                )
                #expect(response.status == 400, "body \(body)")
                let problem = try #require(response.json)
                #expect(problem["error_code"] as? String == "INVALID_JSON")
                #expect(problem["type"] as? String == "about:blank")
                #expect(problem["status"] as? Int == 400)
            }
            try await self.expectNoUsers(client)
        }
    }

    @Test func missingFieldsAndWrongTypesAre422WithTheFieldNamed() async throws {
        try await withApp { client in
            let cases: [(body: [String: Any], field: String)] = [
                (["username": "dave", "password": "password-1"], "email"),
                (["email": "dave@example.com", "password": "password-1"], "username"),
                (["email": 42, "username": "dave", "password": "password-1"], "email"),
                (["email": "dave@example.com", "username": ["dave"], "password": "password-1"], "username"),
                (["email": "dave@example.com", "username": "dave", "password": NSNull()], "password"),
                (["email": "not-an-email", "username": "dave", "password": "password-1"], "email"),
                (["email": "dave@example.com", "username": "d!", "password": "password-1"], "username"),
                (["email": "dave@example.com", "username": "dave", "password": "short"], "password"),
                (["email": "dave@example.com", "username": "dave", "password": String(repeating: "é", count: 73)], "password"),
            ]
            for (body, field) in cases {
                let response = try await client.post("/api/auth/register", json: body)
                #expect(response.status == 422, "\(body)")
                let problem = try #require(response.json)
                #expect(problem["error_code"] as? String == "VALIDATION_FAILED")
                let errors = try #require(problem["errors"] as? [[String: Any]])
                #expect(errors.contains { $0["field"] as? String == field }, "\(body) -> \(errors)")
            }
            let notAnObject = try await client.post("/api/auth/register", json: ["dave"])
            #expect(notAnObject.status == 422)
            try await self.expectNoUsers(client)
        }
    }

    @Test func twentyMegabyteBodyIs413AndWritesNothing() async throws {
        try await withApp { client in
            let huge =
                "{\"email\": \"eve@example.com\", \"username\": \"eve\", \"password\": \"password-1\", \"full_name\": \""
                + String(repeating: "x", count: 20 * 1024 * 1024) + "\"}"
            let response = try await client.request(
                "POST", "/api/auth/register", headers: ["Content-Type": "application/json"], body: Data(huge.utf8))
            #expect(response.status == 413)
            #expect(response.json?["error_code"] as? String == "MESSAGE_TOO_LARGE")
            // The server is still serving, and eve was not created.
            #expect(try await client.get("/health").status == 200)
            let login = try await client.post("/api/auth/login", json: ["username": "eve", "password": "password-1"])
            #expect(login.status == 401)
        }
    }

    private func expectNoUsers(_ client: some APIClient) async throws {
        // Every name tried above is still free: registering it now succeeds.
        for name in ["carol", "dave"] {
            let response = try await client.post(
                "/api/auth/register", json: ["email": "\(name)@example.com", "username": name, "password": "password-1"])
            #expect(response.status == 201, "\(name) was written by a refused request")
        }
    }
}
