// Taking a quiz: each answer is saved as it is given (one question at a time), and the
// time left counts down from what the server said; every save brings the server's count
// again. Without this script the form's own buttons save and hand in everything.
(function () {
  "use strict";
  var TYPING_PAUSE_MS = 800;

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setUpTimer(form) {
    var timer = document.getElementById("quiz-timer");
    var value = document.getElementById("quiz-timer-value");
    if (!timer || !value) {
      return function () {};
    }
    var deadline = Date.now() + parseInt(timer.getAttribute("data-seconds-left"), 10) * 1000;
    var handedIn = false;
    function show() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      value.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left === 0 && !handedIn) {
        handedIn = true;
        var action = document.createElement("input");
        action.type = "hidden";
        action.name = "action";
        action.value = "submit";
        form.appendChild(action);
        form.submit();
      }
    }
    show();
    window.setInterval(show, 1000);
    return function (secondsLeft) {
      if (typeof secondsLeft === "number") {
        deadline = Date.now() + secondsLeft * 1000;
      }
    };
  }

  function setUp(form) {
    var url = form.getAttribute("data-answer-url");
    var resync = setUpTimer(form);

    function save(fieldset) {
      var status = fieldset.querySelector(".save-status");
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrfToken(form));
      body.append("question", fieldset.getAttribute("data-question"));
      fieldset.querySelectorAll("input, select, textarea").forEach(function (field) {
        if ((field.type === "radio" || field.type === "checkbox") && !field.checked) {
          return;
        }
        body.append(field.name, field.value);
      });
      if (status) {
        status.textContent = form.getAttribute("data-saving");
      }
      fetch(url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (data) { return [response, data]; });
        })
        .then(function (result) {
          var response = result[0];
          var data = result[1];
          if (response.ok) {
            if (status) { status.textContent = form.getAttribute("data-saved"); }
            resync(data.seconds_left);
          } else if (data.redirect) {
            window.location.assign(data.redirect);
          } else if (status) {
            status.textContent = data.message || form.getAttribute("data-not-saved");
          }
        })
        .catch(function () {
          if (status) { status.textContent = form.getAttribute("data-offline"); }
        });
    }

    form.querySelectorAll("fieldset[data-question]").forEach(function (fieldset) {
      var typing = null;
      fieldset.addEventListener("change", function () { save(fieldset); });
      fieldset.addEventListener("input", function (event) {
        if (event.target.tagName !== "TEXTAREA" && event.target.type !== "text") {
          return;
        }
        window.clearTimeout(typing);
        typing = window.setTimeout(function () { save(fieldset); }, TYPING_PAUSE_MS);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("attempt-form");
    if (form && form.getAttribute("data-answer-url")) {
      setUp(form);
    }
  });
})();
