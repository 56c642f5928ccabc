// Swagger UI on /api/docs (templates/api_docs/docs.html): in a file of our own, since the
// Content-Security-Policy allows no inline script.
"use strict";

window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // No call to swagger.io's validator (closed networks; and it would leak the document).
    validatorUrl: null,
    // A token given under Authorize stays in this page's memory, not in localStorage.
    persistAuthorization: false,
    // Same-origin calls send the login session cookie.
    withCredentials: true
  });
});
