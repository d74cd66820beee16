// Countdowns to report deadlines: each [data-deadline] (ISO time) shows the time left, or how
// long ago it passed, updated every second. Labels come from data-left / data-over; only text
// is written (textContent), never HTML.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function format(ms) {
    var s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.dataset.deadline) - now;
      el.textContent = (left >= 0 ? el.dataset.left : el.dataset.over) + " " + format(Math.abs(left));
      el.classList.toggle("text-danger", left < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
