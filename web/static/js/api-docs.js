// Starts Swagger UI on /api/v1/docs. A file rather than an inline script, so the page's CSP
// (script-src 'self') needs no 'unsafe-inline'.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    persistAuthorization: false,
    tryItOutEnabled: false,
    validatorUrl: null, // the default sends the spec to swagger.io; nothing leaves the server
  });
})();
