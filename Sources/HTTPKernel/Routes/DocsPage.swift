/// The `/api/docs` page: Swagger UI over `/api/openapi.yaml`, whose Authorize button uses the OAuth2 password flow.
enum DocsPage {
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
          <script>
            window.ui = SwaggerUIBundle({
              url: "/api/openapi.yaml",
              dom_id: "#swagger-ui",
              persistAuthorization: true,
              tryItOutEnabled: true
            });
          </script>
        </body>
        </html>
        """
}
