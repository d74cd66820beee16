/* Starts Swagger UI on the API documentation page (templates/api/docs.html). The schema's URL
   comes from the page (data-schema-url): no inline script, so the portal's CSP holds. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    // "Try it out" sends the token typed under Authorize; nothing is stored by the page.
    // No top bar: this page documents this portal's schema only.
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Swagger UI's syntax highlighter writes inline styles, which the CSP refuses.
    syntaxHighlight: false,
  });
})();
