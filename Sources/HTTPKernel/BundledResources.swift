import Foundation

/// The contract and the page, which the build puts in a folder beside the binary.
enum BundledResources {
    /// `Bundle.module` stops the process when that folder is missing (a binary copied alone); this says what to do.
    static func bundle() throws -> Bundle {
        let folder = Bundle.main.bundleURL.appendingPathComponent("sessionhub_HTTPKernel.resources")
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw ConfigurationError(
                "\(folder.path) is missing: install sessionhub with the sessionhub_HTTPKernel.resources folder the build puts beside it"
            )
        }
        return Bundle.module
    }
}
