/*
 * The assessment workbook's export page: while the workbook is being written,
 * ask the status endpoint every 1.5 seconds and move the progress bar, the
 * "N of M rows" text and the status badge; when it is ready, reveal the
 * download button; when it failed, show the error. Without JavaScript the
 * page refreshes itself instead (a <noscript> meta refresh).
 */
(function () {
  "use strict";

  var INTERVAL = 1500;
  var MAX_INTERVAL = 15000;
  var BADGES = {
    queued: "text-bg-secondary",
    running: "text-bg-info",
    done: "text-bg-success",
    failed: "text-bg-danger"
  };

  function setUp(section) {
    var url = section.getAttribute("data-status-url");
    if (!url || section.getAttribute("data-finished") === "true" || !window.fetch) {
      return;
    }
    var bar = section.querySelector("[data-export-bar]");
    var percent = section.querySelector("[data-export-percent]");
    var rows = section.querySelector("[data-export-rows]");
    var badge = section.querySelector("[data-export-status]");
    var waiting = section.querySelector("[data-export-waiting]");
    var stalled = section.querySelector("[data-export-stalled]");
    var error = section.querySelector("[data-export-error]");
    var download = section.querySelector("[data-export-download]");
    var pending = section.querySelector("[data-export-pending]");
    var delay = INTERVAL;

    function show(state) {
      if (bar) {
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
      }
      if (percent) {
        percent.textContent = state.percent;
      }
      if (rows) {
        rows.textContent = state.progress_text;
      }
      if (badge) {
        Object.keys(BADGES).forEach(function (status) {
          badge.classList.remove(BADGES[status]);
        });
        badge.classList.add(BADGES[state.status] || BADGES.queued);
        badge.setAttribute("data-export-status", state.status);
        badge.textContent = state.status_label;
      }
      if (waiting) {
        waiting.hidden = !state.waiting_too_long;
      }
      if (stalled) {
        stalled.hidden = !state.stalled;
      }
      if (error) {
        error.textContent = state.error;
        error.hidden = !state.error;
      }
      if (download && state.download_url) {
        download.href = state.download_url;
        download.hidden = false;
      }
      if (pending) {
        pending.hidden = state.finished || state.stalled;
      }
      section.setAttribute("data-finished", state.finished ? "true" : "false");
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.redirected || response.status === 403 || response.status === 404) {
            // Signed out or no longer allowed: stop asking.
            return null;
          }
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (state) {
          if (!state) {
            return;
          }
          delay = INTERVAL;
          show(state);
          if (!state.finished) {
            window.setTimeout(poll, delay);
          }
        })
        .catch(function () {
          // A network hiccup or a busy server: try again, a little later each time.
          delay = Math.min(delay * 2, MAX_INTERVAL);
          window.setTimeout(poll, delay);
        });
    }

    window.setTimeout(poll, delay);
  }

  document.querySelectorAll("[data-status-url]").forEach(setUp);
})();
