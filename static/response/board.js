/* The event board refreshes itself: every data-interval ms it asks data-url (a JSON endpoint)
 * and writes the figures, the shelters' rows and the latest timeline as DOM text, never as
 * HTML. Polling: static/js/poll.js. No inline script
 * (CSP). */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function lookup(data, path) {
    return path.split(".").reduce(function (value, key) {
      return value === undefined || value === null ? value : value[key];
    }, data);
  }

  function render(data) {
    board.querySelectorAll("[data-figure]").forEach(function (node) {
      var value = lookup(data, node.dataset.figure);
      if (value !== undefined && value !== null) node.textContent = String(value);
    });
    var level = document.getElementById("event-level");
    if (level) level.textContent = data.level;

    var shelters = document.getElementById("board-shelters");
    if (shelters) {
      var rows = data.shelters.map(function (s) {
        var row = el("tr");
        var name = el("td");
        var link = el("a", "", s.name);
        link.href = s.url;
        name.appendChild(link);
        if (!s.open) {
          name.appendChild(document.createTextNode(" "));
          name.appendChild(el("span", "badge text-bg-secondary", shelters.dataset.closed));
        }
        row.appendChild(name);
        row.appendChild(el("td", "text-end", s.occupancy + "/" + s.capacity));
        ["remaining", "elderly", "children", "alone", "disabled", "pregnant"].forEach(function (k) {
          row.appendChild(el("td", "text-end", s[k]));
        });
        return row;
      });
      if (!rows.length) {
        var empty = el("tr");
        var cell = el("td", "text-secondary", shelters.dataset.empty);
        cell.colSpan = 8;
        empty.appendChild(cell);
        rows.push(empty);
      }
      shelters.replaceChildren.apply(shelters, rows);
    }

    var log = document.getElementById("board-log");
    if (log) {
      log.replaceChildren.apply(log, data.log.map(function (entry) {
        var item = el("li", "list-group-item");
        item.appendChild(el("span", "text-secondary me-2", entry.at));
        item.appendChild(document.createTextNode(entry.text));
        return item;
      }));
    }
  }

  window.pollJson(board.dataset.url, parseInt(board.dataset.interval, 10) || 15000, render);
})();
