/* Draws the admin dashboard's charts (Chart.js) from the figures the page passes in a
   json_script element; every chart has a table on the page, so nothing is lost without it. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.Chart === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    var style = getComputedStyle(document.documentElement);
    var colours = [
      style.getPropertyValue("--colour-primary").trim() || "#1d4ed8",
      style.getPropertyValue("--colour-accent").trim() || "#b45309",
      style.getPropertyValue("--colour-muted").trim() || "#6b7280"
    ];
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var figures = charts[canvas.getAttribute("data-chart")];
      if (!figures) { return; }
      var kind = canvas.getAttribute("data-kind") || "bar";
      new window.Chart(canvas, {
        type: kind,
        data: {
          labels: figures.labels,
          datasets: figures.series.map(function (series, index) {
            return {
              label: series.label,
              data: series.values,
              backgroundColor: colours[index % colours.length],
              borderColor: colours[index % colours.length],
              tension: 0.2
            };
          })
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: reduceMotion ? false : undefined,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
  });
})();
