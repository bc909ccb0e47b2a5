import Crypto
import Foundation

/// The `/api/docs` page: Swagger UI over `/api/openapi.yaml`, whose Authorize button uses the OAuth2 password flow.
enum DocsPage {
    /// Swagger UI from unpkg and the page's one inline script (allowed by its hash), talking to this server only.
    static let contentSecurityPolicy = [
        "default-src 'none'",
        "script-src https://unpkg.com '\(Self.inlineScriptHash)'",
        // Swagger UI sets style attributes as it renders.
        "style-src https://unpkg.com 'unsafe-inline'",
        "img-src 'self' data: https://unpkg.com",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    private static let inlineScript = """

            window.ui = SwaggerUIBundle({
              url: "/api/openapi.yaml",
              dom_id: "#swagger-ui",
              persistAuthorization: true,
              tryItOutEnabled: true
            });

        """

    private static var inlineScriptHash: String {
        "sha256-" + Data(SHA256.hash(data: Data(Self.inlineScript.utf8))).base64EncodedString()
    }

    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>SessionHub API</title>
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <noscript>This page needs JavaScript. The contract itself is at <a href="/api/openapi.yaml">/api/openapi.yaml</a>.</noscript>
          <script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js" crossorigin></script>
          <script>\(Self.inlineScript)</script>
        </body>
        </html>
        """
}
