import Foundation
import Testing

extension RealtimeIntegration {
    /// The seed write-up's own client code, run as printed (Tests/SeedExamples): what existing users type must work.
    @Suite("The seed's examples, verbatim")
    struct SeedExampleTests {
        /// The package's folder, where scripts/test keeps the Python environment with `websockets`.
        static let packageFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()

        @Test func thePythonClientGetsItsWelcomeThenItsOwnMessage() async throws {
            let python = Self.packageFolder.appendingPathComponent(".venv-seed/bin/python")
            try #require(
                FileManager.default.isExecutableFile(atPath: python.path),
                "no \(python.path): scripts/test makes it (python3 -m venv .venv-seed; pip install websockets==15.0.1)")
            let example = try String(contentsOf: Self.packageFolder.appendingPathComponent("Tests/SeedExamples/python_client.py"), encoding: .utf8)
            try await withServer { server, client in
                let room = try await client.makeRoom()
                // Only what the write-up leaves to its reader: where the server is, the session and the token.
                let script = example.replacingOccurrences(of: "localhost:8000", with: "127.0.0.1:\(server.port)")
                    .replacingOccurrences(of: "abc123", with: room.sessionID).replacingOccurrences(of: "YOUR_JWT", with: room.editor.accessToken)
                let file = try ServerProcess.makeFolder().appendingPathComponent("python_client.py")
                try script.write(to: file, atomically: true, encoding: .utf8)

                let (status, printed) = try await ServerProcess.run(python, arguments: [file.path])
                #expect(status == 0, "\(printed)")
                let lines = printed.split(separator: "\n")
                let welcome = try #require(lines.first { $0.hasPrefix("Connected: ") }.flatMap { FrameLog.parse(String($0.dropFirst(11))) })
                #expect(welcome["type"] as? String == "connected")
                #expect(welcome["your_role"] as? String == "editor")
                let response = try #require(lines.first { $0.hasPrefix("Response: ") }.flatMap { FrameLog.parse(String($0.dropFirst(10))) })
                #expect(response["type"] as? String == "chat_message", "\(printed)")
                #expect(response.messageContent == "Hello from Python!")
            }
        }
    }
}
