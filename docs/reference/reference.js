/* reference.js - starts Swagger UI on openapi.yaml, served next to this page. */
"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.yaml",
    dom_id: "#reference",
    /* #/PhoneCalls/updatePhoneCall opens StopRecording directly */
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    tryItOutEnabled: false,
    /* no badge fetched from the public validator: nothing leaves this server */
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
