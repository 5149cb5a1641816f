/* Draws an endpoint's health charts (Chart.js) from the figures the page passes in a
   json_script element; the page has the same figures as a table, so nothing is lost
   without it. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var source = document.getElementById("health-charts");
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
      var stacked = Boolean(figures.stacked);
      new window.Chart(canvas, {
        type: canvas.getAttribute("data-kind") || "line",
        data: {
          labels: figures.labels,
          datasets: figures.series.map(function (series, index) {
            return {
              label: series.label,
              data: series.values,
              backgroundColor: colours[index % colours.length],
              borderColor: colours[index % colours.length],
              spanGaps: true,
              tension: 0.2
            };
          })
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: reduceMotion ? false : undefined,
          scales: {
            x: { stacked: stacked },
            y: {
              stacked: stacked,
              beginAtZero: true,
              ticks: { precision: 0 },
              title: figures.unit ? { display: true, text: figures.unit } : undefined
            }
          }
        }
      });
    });
  });
})();
