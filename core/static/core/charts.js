/* Draws a page's charts (Chart.js) from the figures the page passes in a json_script
   element, named by this script tag's data-source. Each <canvas data-chart="name"> shows
   figures[name]: {labels, series: [{label, values}]} (or one {label, values}), with
   `stacked` and `unit` optional; data-kind picks the type (bar, line), data-horizontal="true"
   lays bars sideways. Every chart has a table of the same figures on its page, so nothing is
   lost without JavaScript. */
(function () {
  "use strict";
  var script = document.currentScript;
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var source = script && document.getElementById(script.getAttribute("data-source"));
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
      var series = figures.series || [{ label: figures.label, values: figures.values }];
      var stacked = Boolean(figures.stacked);
      var horizontal = canvas.getAttribute("data-horizontal") === "true";
      var counts = {
        stacked: stacked,
        beginAtZero: true,
        ticks: { precision: 0 },
        title: figures.unit ? { display: true, text: figures.unit } : undefined
      };
      new window.Chart(canvas, {
        type: canvas.getAttribute("data-kind") || "bar",
        data: {
          labels: figures.labels,
          datasets: series.map(function (one, index) {
            return {
              label: one.label,
              data: one.values,
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
          indexAxis: horizontal ? "y" : "x",
          animation: reduceMotion ? false : undefined,
          plugins: { legend: { display: series.length > 1 } },
          scales: horizontal
            ? { x: counts, y: { stacked: stacked } }
            : { x: { stacked: stacked }, y: counts }
        }
      });
    });
  });
})();
