// The receipt's "Print" button: shown only where scripts run (print works without it too).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print-receipt]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
