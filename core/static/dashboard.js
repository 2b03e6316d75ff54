/* Draws the dashboard's chart tiles with the vendored Chart.js (no inline script, no CDN).
 * Each tile has <canvas data-config="ID"> and <script type="application/json" id="ID">
 * holding a Chart.js config built by the server. */
(function () {
  "use strict";

  var reducedMotion = !!(window.matchMedia &&
    window.matchMedia("(prefers-reduced-motion: reduce)").matches);

  function fail(canvas, error) {
    var body = canvas.closest(".panel-body");
    var note = body && body.querySelector(".as-chart-error");
    if (note) { note.classList.remove("hidden"); }
    canvas.parentNode.classList.add("hidden");
    if (window.console) { console.warn("dashboard chart failed:", error); }
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-config"));
    try {
      var config = JSON.parse(source.textContent);
      config.options = config.options || {};
      if (config.options.responsive === undefined) { config.options.responsive = true; }
      if (config.options.maintainAspectRatio === undefined) {
        config.options.maintainAspectRatio = false;
      }
      if (reducedMotion) { config.options.animation = false; }
      new window.Chart(canvas, config);
    } catch (error) {
      fail(canvas, error);
    }
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-config]");
    for (var i = 0; i < canvases.length; i++) {
      if (typeof window.Chart === "undefined") { fail(canvases[i], "Chart.js not loaded"); }
      else { draw(canvases[i]); }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
