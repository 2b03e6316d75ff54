/* Behaviour of AfterSales' own templates, kept out of the HTML so that the
 * Content-Security-Policy can refuse inline scripts and event handlers (core.security.headers).
 *
 * <select data-reload-param="NAME">: choosing an option reloads the page with ?NAME=value. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-reload-param]")) { return; }
    var params = new URLSearchParams();
    params.set(select.getAttribute("data-reload-param"), select.value);
    window.location.search = params.toString();
  });
}());
