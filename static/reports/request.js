// Report buttons (forms marked data-report-request): on submit the button is disabled and says
// the report is being requested, so a second click sends nothing; the server returns the
// request already running anyway (apps/reports/services.py). Coming back with the browser's
// back button (page restored from the cache) gives the button back.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-report-request]");
  Array.prototype.forEach.call(forms, function (form) {
    var button = form.querySelector("button[type=submit]");
    var label = button ? Array.prototype.map.call(button.childNodes, function (node) {
      return node.cloneNode(true);
    }) : [];
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("aria-busy") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("aria-busy", "true");
      if (!button) { return; }
      button.disabled = true;
      button.classList.add("report-busy");
      var spinner = document.createElement("span");
      spinner.className = "spinner-border spinner-border-sm me-1";
      spinner.setAttribute("aria-hidden", "true");
      button.textContent = form.getAttribute("data-busy-text") || button.textContent;
      button.insertBefore(spinner, button.firstChild);
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && button) {
        form.removeAttribute("aria-busy");
        button.disabled = false;
        button.classList.remove("report-busy");
        button.replaceChildren.apply(button, label.map(function (node) {
          return node.cloneNode(true);
        }));
      }
    });
  });
})();
