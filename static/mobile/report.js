// 隐患上报 in three steps (what / where / photo). The report gets its idempotency key here, once;
// it is sent at once when the phone is online, and otherwise kept in the outbox (outbox.js),
// which sends it when the connection returns.
(function () {
  "use strict";
  var form = document.querySelector("[data-report-form]");
  if (!form || !window.Outbox) { return; }
  var steps = form.querySelectorAll("[data-step]");
  var errors = form.querySelector("[data-errors]");
  var done = form.querySelector("[data-done]");
  var status = form.querySelector("[data-location-status]");
  var located = false;

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function showStep(n) {
    steps.forEach(function (step) { step.hidden = step.dataset.step !== String(n); });
    form.dataset.current = String(n);
    if (n === 2) { locate(); }
  }

  function locate() {
    if (located || !navigator.geolocation) { return; }
    located = true;
    status.textContent = form.dataset.locatingText;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude.toFixed(6);
      form.elements.longitude.value = position.coords.longitude.toFixed(6);
      status.textContent = form.dataset.locatedText.replace("%s", Math.round(position.coords.accuracy));
    }, function () {
      status.textContent = form.dataset.noLocationText;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function clearErrors() {
    errors.hidden = true;
    errors.textContent = "";
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
  }

  function showErrors(data) {
    var fields = (data && data.errors) || {};
    var first = 3;
    Object.keys(fields).forEach(function (name) {
      var text = fields[name].map(function (e) { return e.message; }).join(" ");
      var slot = form.querySelector("[data-error-for=\"" + name + "\"]");
      if (slot) {
        slot.textContent = text;
        first = Math.min(first, Number(slot.closest("[data-step]").dataset.step));
      } else {
        errors.textContent += text + " ";
        errors.hidden = false;
      }
    });
    showStep(first);
  }

  function reset() {
    form.reset();
    form.elements.latitude.value = "";
    form.elements.longitude.value = "";
    form.elements.key.value = uuid();
    located = false;
    status.textContent = "";
    showStep(1);
  }

  function finished(text) {
    done.textContent = text;
    done.hidden = false;
    reset();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-next], [data-back]");
    if (!button) { return; }
    var current = Number(form.dataset.current);
    showStep(button.hasAttribute("data-next") ? current + 1 : current - 1);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    done.hidden = true;
    var checked = form.querySelector("input[name=category]:checked");
    form.dataset.title = form.elements.title.value || (checked ? checked.parentNode.textContent.trim() : "");
    var entry = window.Outbox.entryFrom(form);
    function queue() {
      return window.Outbox.add(entry).then(function () { finished(form.dataset.savedText); });
    }
    if (!navigator.onLine) { queue(); return; }
    window.Outbox.send(entry).then(function (answer) {
      if (answer.status === 200 || answer.status === 201) {
        finished(form.dataset.sentText + answer.data.title);
      } else {
        showErrors(answer.data);
      }
    }, queue);
  });

  if (!form.elements.key.value) { form.elements.key.value = uuid(); }
  showStep(1);
})();
