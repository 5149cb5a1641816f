/* Behaviour every portal page shares. No inline scripts exist (the Content Security
   Policy forbids them): pages mark elements with data attributes and these handlers act. */
(function () {
  "use strict";
  // <form data-confirm="Really?">: ask before sending.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
  // After an HTMX swap, move focus to an element marked data-focus-after-swap so that
  // keyboard and screen-reader users land on what changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target.querySelector("[data-focus-after-swap]");
    if (target) {
      target.focus();
    }
  });
})();
