/*
 * Study plan pages: "Add a session" copies the formset's blank row, and the
 * print button prints the plan. Without JavaScript both stay hidden: the form
 * still offers its blank rows, and the browser's own print works.
 */
(function () {
  "use strict";

  function setUpFormset(container) {
    var prefix = container.getAttribute("data-formset");
    var total = container.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var maximum = container.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
    var template = container.querySelector("template[data-formset-empty]");
    var rows = container.querySelector("[data-formset-rows]");
    var button = container.querySelector("[data-formset-add]");
    if (!total || !template || !rows || !button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      if (maximum && index >= parseInt(maximum.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
    });
  }

  document.querySelectorAll("[data-formset]").forEach(setUpFormset);

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
