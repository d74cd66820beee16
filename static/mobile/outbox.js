// The phone pages' outbox: hazard reports made without a connection wait in IndexedDB and are
// sent when it returns, each with the idempotency key it was given when it was made (the
// server creates one hazard per key, however often it is sent). Also registers the service
// worker that keeps the pages for offline use, and shows whether the phone is offline.
(function () {
  "use strict";
  var body = document.body;
  var DB_NAME = "resilience-outbox";
  var STORE = "reports";
  var flushing = null;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() { return withStore("readonly", function (store) { return store.getAll(); }); }
  function put(entry) { return withStore("readwrite", function (store) { store.put(entry); }); }
  function remove(key) { return withStore("readwrite", function (store) { store.delete(key); }); }

  // A report as stored: the form's fields (photos as Blobs), without the CSRF token, which
  // is taken from the page that sends it.
  function entryFrom(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      if (value instanceof Blob && !value.size) { return; }
      fields.push([name, value]);
    });
    return { key: form.elements.key.value, title: form.dataset.title || "", fields: fields, error: "" };
  }

  // Resolves with {status, data} for an answer of the server; rejects when there was none.
  function send(entry) {
    var data = new FormData();
    entry.fields.forEach(function (field) {
      if (field[1] instanceof Blob) {
        data.append(field[0], field[1], field[1].name || "photo.jpg");
      } else {
        data.append(field[0], field[1]);
      }
    });
    return fetch(body.dataset.reportUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": body.dataset.csrf, "Accept": "application/json" }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) { throw new Error("no answer from the portal"); }  // e.g. the log-in page
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function errorText(data) {
    var errors = (data && data.errors) || {};
    return Object.keys(errors).map(function (name) {
      return errors[name].map(function (e) { return e.message; }).join(" ");
    }).join(" ");
  }

  var sent = [];

  function show() {
    var box = document.querySelector("[data-outbox]");
    if (!box) { return Promise.resolve(); }
    return all().then(function (entries) {
      box.textContent = "";
      var lines = [];
      var waiting = entries.filter(function (e) { return !e.error; });
      if (waiting.length) { lines.push(box.dataset.pendingText + waiting.length); }
      entries.filter(function (e) { return e.error; }).forEach(function (e) {
        lines.push(box.dataset.failedText + e.title + " " + e.error);
      });
      if (sent.length) { lines.push(box.dataset.sentText + sent.join("、")); }
      lines.forEach(function (line) {
        var div = document.createElement("div");
        div.textContent = line;
        box.appendChild(div);
      });
      box.hidden = !lines.length;
      box.dataset.pending = String(waiting.length);
    });
  }

  // Sends the queued reports one by one; stops at the first one without an answer.
  function flush() {
    if (flushing) { return flushing; }
    flushing = all().then(function (entries) {
      var chain = Promise.resolve();
      entries.filter(function (e) { return !e.error; }).forEach(function (entry) {
        chain = chain.then(function () {
          return send(entry).then(function (answer) {
            if (answer.status === 200 || answer.status === 201) {
              sent.push(answer.data.title);
              return remove(entry.key);
            }
            entry.error = errorText(answer.data) || String(answer.status);
            return put(entry);
          });
        });
      });
      return chain;
    }).catch(function () { /* still offline: the next "online" event tries again */ })
      .then(function () { flushing = null; return show(); });
    return flushing;
  }

  function add(entry) { return put(entry).then(show); }

  function online() {
    var banner = document.querySelector("[data-offline-banner]");
    if (banner) { banner.hidden = navigator.onLine; }
    if (navigator.onLine) { flush(); }
  }

  window.addEventListener("online", online);
  window.addEventListener("offline", online);
  online();
  show();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope })
      .catch(function () { /* the pages work online without it */ });
  }

  window.Outbox = { entryFrom: entryFrom, send: send, add: add, flush: flush, errorText: errorText };
})();
