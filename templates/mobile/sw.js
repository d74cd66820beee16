{% autoescape off %}// The phone pages' service worker (served by apps.mobile.views.ServiceWorkerView at /m/sw.js,
// so it controls /m/ and below). It keeps the shell — 我的任务, 隐患上报 and their static files —
// so the pages open without a connection: pages from the network first (and kept fresh),
// static files from the cache first. Posts are not touched: the outbox (outbox.js) queues them.
"use strict";
var CACHE = "m-shell-{{ version }}";
var SHELL = {{ shell_json }};
var OFFLINE_PAGE = "{{ offline_url }}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) { return cache.put(url, response); }
      }).catch(function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("m-shell-") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected && SHELL.indexOf(url.pathname) !== -1) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (page) {
        return page || caches.match(OFFLINE_PAGE);
      });
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(url.pathname).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});
{% endautoescape %}
