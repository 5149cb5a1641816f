// The course player's video: starts where the learner left off, and reports where it is
// every few seconds while it plays, when it is paused or ends, and when the page is left.
(function () {
  "use strict";
  var REPORT_EVERY_MS = 5000;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function setUp(video) {
    var url = video.getAttribute("data-position-url");
    var start = parseInt(video.getAttribute("data-start") || "0", 10) || 0;
    var lastReported = null;
    var watchedSince = 0;
    var lastTick = null;
    var timer = null;

    function restore() {
      if (start > 0 && video.currentTime < 1) {
        video.currentTime = start;
      }
    }
    if (video.readyState >= 1) {
      restore();
    } else {
      video.addEventListener("loadedmetadata", restore, { once: true });
    }

    function body() {
      var form = new FormData();
      form.append("csrfmiddlewaretoken", csrfToken());
      form.append("position", String(Math.floor(video.currentTime)));
      form.append("watched", String(Math.floor(watchedSince)));
      return form;
    }

    function countWatched() {
      var now = Date.now();
      if (lastTick !== null && !video.paused) {
        watchedSince += (now - lastTick) / 1000;
      }
      lastTick = now;
    }

    var played = false;

    function report(leaving) {
      if (!played) {
        return; // opening the page is not watching: nothing to keep
      }
      countWatched();
      var position = Math.floor(video.currentTime);
      if (position === lastReported && watchedSince < 1) {
        return;
      }
      var form = body();
      lastReported = position;
      watchedSince = watchedSince % 1;
      if (leaving && navigator.sendBeacon) {
        navigator.sendBeacon(url, form);
        return;
      }
      fetch(url, { method: "POST", body: form, credentials: "same-origin", keepalive: !!leaving })
        .catch(function () { lastReported = null; });
    }

    video.addEventListener("play", function () {
      played = true;
      lastTick = Date.now();
      if (timer === null) {
        timer = window.setInterval(function () { report(false); }, REPORT_EVERY_MS);
      }
    });
    function stop() {
      if (timer !== null) {
        window.clearInterval(timer);
        timer = null;
      }
      report(false);
    }
    video.addEventListener("pause", stop);
    video.addEventListener("ended", stop);
    video.addEventListener("seeked", function () { if (video.paused) { report(false); } });
    window.addEventListener("pagehide", function () { report(true); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var video = document.getElementById("lesson-video");
    if (video && video.getAttribute("data-position-url")) {
      setUp(video);
    }
  });
})();
