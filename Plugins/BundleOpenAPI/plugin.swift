import Foundation
import PackagePlugin

/// Copies the root openapi.yaml into the target's generated resources, so the binary serves the exact contract
/// it was built with while the file itself stays at the top of the repository.
@main
struct BundleOpenAPI: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let source = context.package.directoryURL.appending(path: "openapi.yaml")
        let copy = context.pluginWorkDirectoryURL.appending(path: "openapi.yaml")
        return [
            .buildCommand(
                displayName: "Bundling openapi.yaml",
                executable: URL(fileURLWithPath: "/bin/cp"),
                arguments: [source.path, copy.path],
                inputFiles: [source],
                outputFiles: [copy]
            )
        ]
    }
}
