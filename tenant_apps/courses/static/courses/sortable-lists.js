/* Drag-and-drop reordering for the authors' pages, on top of lists that already work
   without it: every item also has "Move up"/"Move down" buttons (plain POST forms).

   <ol data-sortable data-handle=".lesson-handle" data-order-url="..." data-order-field="lesson_ids"
       data-group="lessons" data-section-id="4" data-status="order-status"
       data-saved="Saved." data-failed="Not saved:"> <li data-id="7" data-move-url="...">

   Dropping an item elsewhere in its list posts the list's new order (the same services the
   API's `.../order` endpoints call); dropping it into another list of the same group posts
   the item's move there. What happened is announced in the status region. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function announce(list, text) {
    var region = document.getElementById(list.getAttribute("data-status") || "order-status");
    if (region) {
      region.textContent = text;
    }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: body.toString()
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          throw new Error(answer.message || String(response.status));
        }
        return answer;
      });
    });
  }

  function idsOf(list) {
    var ids = [];
    Array.prototype.forEach.call(list.children, function (item) {
      if (item.getAttribute("data-id")) {
        ids.push(item.getAttribute("data-id"));
      }
    });
    return ids;
  }

  function make(list) {
    window.Sortable.create(list, {
      handle: list.getAttribute("data-handle") || ".drag-handle",
      draggable: "[data-id]",
      group: list.getAttribute("data-group") || undefined,
      animation: 150,
      // Pointer events rather than the browser's own drag and drop: one behaviour for
      // mouse, pen and touch.
      forceFallback: true,
      onEnd: function (event) {
        var body = new URLSearchParams();
        var request;
        if (event.from !== event.to) {
          body.set("section_id", event.to.getAttribute("data-section-id"));
          body.set("position", String(event.newIndex + 1));
          request = post(event.item.getAttribute("data-move-url"), body);
        } else if (event.oldIndex !== event.newIndex) {
          var field = list.getAttribute("data-order-field");
          idsOf(list).forEach(function (id) { body.append(field, id); });
          request = post(list.getAttribute("data-order-url"), body);
        } else {
          return;
        }
        list.setAttribute("aria-busy", "true");
        request.then(function () {
          list.removeAttribute("aria-busy");
          announce(list, list.getAttribute("data-saved"));
        }, function (error) {
          list.removeAttribute("aria-busy");
          announce(list, list.getAttribute("data-failed") + " " + error.message);
        });
      }
    });
  }

  function start() {
    if (!window.Sortable) {
      return;
    }
    document.querySelectorAll("[data-sortable]").forEach(make);
    document.documentElement.classList.add("js-sortable");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
