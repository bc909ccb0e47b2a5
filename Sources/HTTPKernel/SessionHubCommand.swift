import Configuration
import Foundation
import Hummingbird
import SystemPackage

/// The `sessionhub` executable: reads configuration from the environment and `.env`, then serves until SIGTERM or SIGINT.
@main
struct SessionHubCommand {
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.contains("--help") || arguments.contains("-h") {
            print(ConfigurationOption.helpText)
            return
        }
        if let unknown = arguments.first {
            Self.fail("unknown argument '\(unknown)'; see sessionhub --help", code: 64)
        }
        if !Allocator.servesMalloc {
            Self.warn("malloc is not jemalloc's; an idle WebSocket takes about twice the memory")
        } else if !Allocator.purgeInTheBackground() {
            Self.warn("jemalloc's background purging is off; freed memory returns late")
        }
        do {
            let reader = ConfigReader(providers: [
                EnvironmentVariablesProvider(),
                try await EnvironmentVariablesProvider(environmentFilePath: ".env", allowMissing: true),
            ])
            let app = try await buildApplication(reader: reader)
            // runService installs the SIGTERM/SIGINT handlers and drains in-flight requests before returning.
            try await app.runService()
        } catch let error as ConfigurationError {
            Self.fail("configuration error: \(error)", code: 78)
        } catch {
            Self.fail("\(error)", code: 1)
        }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        Self.warn(message)
        exit(code)
    }

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data("sessionhub: \(message)\n".utf8))
    }
}
