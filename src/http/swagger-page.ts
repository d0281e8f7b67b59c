/**
 * @module The Swagger UI page. The OpenAPI document is inlined in the page rather than fetched after
 * the UI script has loaded: the operations render as soon as the script runs, with no spinner while a
 * second request is under way, and the page works the same at `/swagger` and `/swagger/` (a relative
 * document URL would resolve differently under the two).
 */

/** Where the embedded UI assets are served (absolute, for the same reason as above). */
export const SWAGGER_ASSETS = "/swagger/assets";

/** The page for `documentJson` (a serialised OpenAPI document) titled `title`. */
export function swaggerPage(title: string, documentJson: string): string {
  const options = {
    dom_id: "#swagger-ui",
    validatorUrl: null,
    // Keeps the token given to Authorize across reloads of the page (in this browser's local storage).
    persistAuthorization: true,
    displayRequestDuration: true,
    // Shows `x-permission`: the permission an operation requires.
    showExtensions: true,
    filter: true,
  };
  // `<` escaped: a string in the document containing `</script>` must not end the script element.
  const spec = documentJson.replace(/</g, "\\u003c");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${SWAGGER_ASSETS}/swagger-ui.css" />
</head>
<body>
<div id="swagger-ui"></div>
<script src="${SWAGGER_ASSETS}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle(Object.assign(${JSON.stringify(options)}, { spec: ${spec} }));
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
