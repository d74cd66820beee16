/* One poll for the live boards (叫应看板, 事件看板): every `ms` milliseconds, and when the tab
 * comes back into view, GET `url` as JSON and hand it to `render`. Polls carry
 * X-Background-Request so they do not keep an idle session alive (apps/security/sessions.py);
 * a failed poll keeps the last figures and the next one tries again. */
window.pollJson = function (url, ms, render) {
  "use strict";
  function poll() {
    fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Background-Request": "1" }
    })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(render)
      .catch(function () { /* keep the last figures */ });
  }
  setInterval(poll, ms);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") poll();
  });
};
