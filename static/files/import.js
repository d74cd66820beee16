// Import forms (marked data-import-submit): on submit the button is disabled and shows that the
// file is being sent, so a second click sends nothing; the server refuses a second job for the
// same file while one runs anyway (apps/files/spreadsheets.py, ImportView). Listening on the
// document also covers the confirm form that htmx swaps into the job page once the check ends.
// Coming back with the browser's back button (page restored from the cache) gives the button back.
(function () {
  "use strict";
  var labels = new WeakMap();

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-import-submit]")) { return; }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    var button = form.querySelector("button[type=submit]");
    if (!button) { return; }
    labels.set(button, Array.prototype.map.call(button.childNodes, function (node) {
      return node.cloneNode(true);
    }));
    // Disabled after the browser has taken the form's data, so the submission goes ahead.
    window.setTimeout(function () { button.disabled = true; }, 0);
    button.classList.add("import-busy");
    var spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm me-1";
    spinner.setAttribute("aria-hidden", "true");
    button.textContent = form.getAttribute("data-busy-text") || button.textContent;
    button.insertBefore(spinner, button.firstChild);
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    var forms = document.querySelectorAll("form[data-import-submit][aria-busy=true]");
    Array.prototype.forEach.call(forms, function (form) {
      form.removeAttribute("aria-busy");
      var button = form.querySelector("button[type=submit]");
      if (!button) { return; }
      button.disabled = false;
      button.classList.remove("import-busy");
      var label = labels.get(button);
      if (label) { button.replaceChildren.apply(button, label); }
    });
  });
})();
