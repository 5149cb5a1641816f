/* "Copy" beside each webhook URL on the payment provider pages. Without JavaScript the
   buttons stay hidden and the URL is plain, selectable text. */
(function () {
  "use strict";
  function announce(button, text) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) {
      status.textContent = text;
    }
  }
  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy-from"));
      if (!field) {
        return;
      }
      var done = function () { announce(button, button.getAttribute("data-copied-text")); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select();
        });
      } else {
        field.select();
        if (document.execCommand && document.execCommand("copy")) {
          done();
        }
      }
    });
  });
})();
