// /docs: starts Swagger UI (swagger-ui-bundle.js, loaded before this file) on the
// service's own OpenAPI document. A file, not an inline script: the page's CSP
// runs only this origin's files. No validator badge (it would call a third party).
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
