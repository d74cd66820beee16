// Live sums on the self-assessment and review forms: each input.points-input belongs to a
// [data-aspect-sum] block; the sums show in [data-sum-for] and the grand total in
// [data-grand-total]. Server-side totals stay the reference; this is only a convenience.
(function () {
  "use strict";
  function value(input) {
    var v = parseFloat(input.value);
    return isNaN(v) ? 0 : v;
  }
  function update() {
    var grand = 0;
    document.querySelectorAll("[data-aspect-sum]").forEach(function (block) {
      var sum = 0;
      block.querySelectorAll("input.points-input").forEach(function (input) { sum += value(input); });
      grand += sum;
      var target = document.querySelector('[data-sum-for="' + block.dataset.aspectSum + '"]');
      if (target) { target.textContent = sum.toFixed(1); }
    });
    var total = document.querySelector("[data-grand-total]");
    if (total) { total.textContent = grand.toFixed(1); }
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input.points-input")) { update(); }
  });
  document.addEventListener("DOMContentLoaded", update);
})();
