/* Draws the operator console's charts from the figures the page passes as JSON
   (json_script "metrics-data"); every chart has a table beside it with the same figures. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("metrics-data");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    var style = getComputedStyle(document.documentElement);
    var primary = style.getPropertyValue("--colour-primary").trim() || "#3b5bdb";
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var figures = charts[canvas.getAttribute("data-chart")];
      if (!figures) {
        return;
      }
      var horizontal = canvas.getAttribute("data-chart-horizontal") === "true";
      new window.Chart(canvas, {
        type: canvas.getAttribute("data-chart-type") || "bar",
        data: {
          labels: figures.labels,
          datasets: [{
            label: figures.label,
            data: figures.values,
            backgroundColor: primary,
            borderColor: primary,
            tension: 0.2
          }]
        },
        options: {
          indexAxis: horizontal ? "y" : "x",
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: {
            x: horizontal ? { beginAtZero: true, ticks: { precision: 0 } } : {},
            y: horizontal ? {} : { beginAtZero: true, ticks: { precision: 0 } }
          }
        }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
