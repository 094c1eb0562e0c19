/*
 * The activity form's attendee list, progressively enhanced: "select all",
 * "select none", find a name, and a running count of those ticked. Without
 * JavaScript every member is simply pre-ticked and the secretary unticks
 * absentees. Also: switching the organization reloads its members at once,
 * and the form cannot be submitted twice by a double click.
 */
(function () {
  "use strict";

  function setUpAttendees(fieldset) {
    var tools = fieldset.querySelector("[data-attendee-tools]");
    var boxes = Array.prototype.slice.call(
      fieldset.querySelectorAll("input[type=checkbox][name=attendees]")
    );
    if (!tools || boxes.length === 0) {
      return;
    }
    var counter = fieldset.querySelector("[data-attendees-ticked]");
    var search = fieldset.querySelector("[data-attendees-search]");

    function visibleBoxes() {
      return boxes.filter(function (box) {
        return !box.closest("[data-attendee-name]").hidden;
      });
    }

    function count() {
      if (counter) {
        counter.textContent = boxes.filter(function (box) {
          return box.checked;
        }).length;
      }
    }

    function tickAll(checked) {
      // With a name filter on, only the members shown are changed.
      visibleBoxes().forEach(function (box) {
        box.checked = checked;
      });
      count();
    }

    fieldset.querySelector("[data-attendees-all]").addEventListener("click", function () {
      tickAll(true);
    });
    fieldset.querySelector("[data-attendees-none]").addEventListener("click", function () {
      tickAll(false);
    });
    fieldset.addEventListener("change", count);
    if (search) {
      search.addEventListener("input", function () {
        var needle = search.value.trim().toLowerCase();
        boxes.forEach(function (box) {
          var cell = box.closest("[data-attendee-name]");
          var name = (cell.getAttribute("data-attendee-name") || "").toLowerCase();
          cell.hidden = needle !== "" && name.indexOf(needle) === -1;
        });
      });
      // Enter in the name box must not submit the whole form.
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
        }
      });
    }
    tools.hidden = false;
    count();
  }

  function setUpOrganizationSwitch(form) {
    var select = form.querySelector("select[name=organization]");
    var button = form.querySelector("[data-switch-button]");
    if (!select) {
      return;
    }
    select.addEventListener("change", function () {
      form.submit();
    });
    if (button) {
      button.hidden = true;
    }
  }

  function submitOnce(form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-submit-once]");
      if (button) {
        // Disabled after this tick, so the click itself still submits.
        window.setTimeout(function () {
          button.disabled = true;
        }, 0);
      }
    });
  }

  document.querySelectorAll("[data-attendees]").forEach(setUpAttendees);
  document.querySelectorAll("[data-organization-switch]").forEach(setUpOrganizationSwitch);
  var activityForm = document.getElementById("activity-form");
  if (activityForm) {
    submitOnce(activityForm);
  }
})();
