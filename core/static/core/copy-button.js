/* A "Copy" button beside a read-only field (certificate verification links, webhook URLs):
   <button data-copy-from="field-id" data-copied-text="Copied" hidden>, and a sibling
   [data-copy-status] that announces the copy. Without JavaScript the buttons stay hidden
   and the field is plain, selectable text. */
(function () {
  "use strict";
  function announce(button, text) {
    var status = button.parentNode.querySelector("[data-copy-status]");
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
