// The weights page: keep “full points in all” in step with the eight inputs.
(function () {
  "use strict";
  var form = document.getElementById("weights");
  var sum = document.getElementById("weights-sum");
  if (!form || !sum) return;
  var inputs = form.querySelectorAll("input[data-weight]");
  function update() {
    var cents = 0;
    inputs.forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) cents += Math.round(value * 100);
    });
    sum.textContent = String(cents / 100);
  }
  inputs.forEach(function (input) {
    input.addEventListener("input", update);
  });
  update();
})();
