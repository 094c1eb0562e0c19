/*
 * The department's organization filter: a search box above a drop-down that
 * holds only the chosen organization (the district has thousands). Typing a
 * name or code asks the portal for matches and offers them in the drop-down;
 * a single match is chosen at once. Without JavaScript the box stays hidden
 * and the list's own search field finds organizations by name or code.
 */
(function () {
  "use strict";

  var WAIT_MS = 250;
  var MIN_LENGTH = 1;

  function setUp(input) {
    var select = document.getElementById(input.dataset.orgLookupFor);
    if (!select) {
      return;
    }
    var status = input.parentNode.querySelector("[data-org-lookup-status]");
    var blank = select.querySelector("option[value='']");
    var timer = null;
    var latest = 0;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function offer(results) {
      var chosen = select.value;
      while (select.options.length) {
        select.remove(0);
      }
      if (blank) {
        select.add(blank);
      }
      results.forEach(function (result) {
        var option = new Option(result.label, String(result.id));
        select.add(option);
      });
      if (results.length === 1) {
        select.value = String(results[0].id);
      } else if (results.some(function (r) { return String(r.id) === chosen; })) {
        select.value = chosen;
      } else {
        select.value = "";
      }
      say(results.length
        ? input.dataset.found.replace("%(count)s", results.length)
        : input.dataset.none);
    }

    function lookUp() {
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        say("");
        return;
      }
      var ticket = ++latest;
      var url = input.dataset.orgLookup + "?q=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (data) {
          // Answers can arrive out of order: only the newest question counts.
          if (ticket === latest) {
            offer(data.results || []);
          }
        })
        .catch(function () {
          say("");
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, WAIT_MS);
    });
    input.addEventListener("keydown", function (event) {
      // Enter searches now instead of submitting the filter form half-chosen.
      if (event.key === "Enter") {
        event.preventDefault();
        window.clearTimeout(timer);
        lookUp();
      }
    });
    input.hidden = false;
  }

  document.querySelectorAll("input[data-org-lookup]").forEach(setUp);
})();
