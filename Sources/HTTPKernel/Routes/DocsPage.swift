import Crypto
import Foundation

/// The `/api/docs` page: every operation rendered by the server, readable offline, then Swagger UI over
/// `/api/openapi.yaml` (whose Authorize button uses the OAuth2 password flow) when its scripts load from the CDN.
enum DocsPage {
    /// Swagger UI from unpkg and the page's one inline script (allowed by its hash), talking to this server only.
    static let contentSecurityPolicy = [
        "default-src 'none'",
        "script-src https://unpkg.com '\(Self.inlineScriptHash)'",
        // Swagger UI sets style attributes as it renders; the reference's own styles are inline.
        "style-src https://unpkg.com 'unsafe-inline'",
        "img-src 'self' data: https://unpkg.com",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// Offline (no SwaggerUIBundle) the server's reference stays the page; online, Swagger UI replaces it.
    private static let inlineScript = """

            if (window.SwaggerUIBundle) {
              window.ui = SwaggerUIBundle({
                url: "/api/openapi.yaml",
                dom_id: "#swagger-ui",
                persistAuthorization: true,
                tryItOutEnabled: true
              });
              document.getElementById("reference").hidden = true;
            }

        """

    private static var inlineScriptHash: String {
        "sha256-" + Data(SHA256.hash(data: Data(Self.inlineScript.utf8))).base64EncodedString()
    }

    static func html(reference: OperationReference) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>SessionHub API</title>
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css">
          <style>
            #reference { font-family: system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem; line-height: 1.4; }
            #reference article { border-top: 1px solid #ddd; padding: 0.5rem 0; }
            #reference .description { white-space: pre-line; color: #333; }
            #reference h4 { margin: 0.5rem 0 0.25rem; }
          </style>
        </head>
        <body>
          <main id="reference">
            <h1>SessionHub API</h1>
            <p>Every operation of <a href="/api/openapi.yaml">openapi.yaml</a>, the contract this server was built with.
            The live collaboration page is at <a href="/app">/app</a>.</p>
            \(reference.html)
          </main>
          <div id="swagger-ui"></div>
          <script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js" crossorigin></script>
          <script>\(Self.inlineScript)</script>
        </body>
        </html>
        """
    }
}
