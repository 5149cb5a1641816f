/* Draws the course analytics charts from the page's `json_script` data (#analytics-data).
   Every chart has a table of the same numbers beside it, so nothing is lost without it. */
(function () {
  "use strict";

  function style(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function draw(id, type, data, options) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    new window.Chart(canvas, {
      type: type,
      data: data,
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, options || {})
    });
  }

  function start() {
    var source = document.getElementById("analytics-data");
    if (!window.Chart || !source) {
      return;
    }
    var charts = JSON.parse(source.textContent);
    var primary = style("--colour-primary", "#3b5bdb");
    var accent = style("--colour-accent", "#f59f00");
    var whole = { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } };
    draw("chart-enrollments", "line", {
      labels: charts.enrollments.labels,
      datasets: [{ label: charts.enrollments.label, data: charts.enrollments.values, borderColor: primary, backgroundColor: primary }]
    }, whole);
    draw("chart-funnel", "bar", {
      labels: charts.funnel.labels,
      datasets: [{ label: charts.funnel.label, data: charts.funnel.values, backgroundColor: primary }]
    }, Object.assign({ indexAxis: "y" }, { scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }));
    draw("chart-quiz-scores", "bar", {
      labels: charts.quiz_scores.labels,
      datasets: [{ label: charts.quiz_scores.label, data: charts.quiz_scores.values, backgroundColor: accent }]
    }, { scales: { y: { beginAtZero: true, max: 100 } } });
    draw("chart-lessons", "bar", {
      labels: charts.lessons.labels,
      datasets: [
        { label: charts.lessons.label, data: charts.lessons.values, backgroundColor: primary },
        { label: charts.lessons.completed_label, data: charts.lessons.completed, backgroundColor: accent }
      ]
    }, whole);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
