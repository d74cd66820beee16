/* 叫应看板: refreshes the figures and the call list from the board's JSON (data-url) every
 * 15 seconds, without reloading (static/js/poll.js). Every value goes in as text, never as HTML.
 */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  var never = board.dataset.never;

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined || text === "" ? never : String(text);
    return td;
  }

  function time(iso) {
    if (!iso) return null;
    var d = new Date(iso);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  function render(data) {
    var figures = Object.assign({}, data.figures, {
      checklist_done: data.checklist_done,
      checklist_total: data.checklist_total
    });
    board.querySelectorAll("[data-figure]").forEach(function (node) {
      var value = figures[node.dataset.figure];
      if (value === null || value === undefined) value = never;
      else if (node.dataset.figure === "rate") value = value + "%";
      node.textContent = String(value);
    });
    var status = document.getElementById("board-status");
    if (status) status.textContent = data.status;
    var body = document.getElementById("board-calls");
    var rows = [];
    data.units.forEach(function (unit) {
      unit.calls.forEach(function (call) {
        var tr = document.createElement("tr");
        tr.className = "call-" + call.status;
        [unit.unit, call.name, call.duty, call.tier, call.mobile, call.status_label,
          time(call.acknowledged_at), call.channel].forEach(function (value) {
          tr.appendChild(cell(value));
        });
        rows.push(tr);
      });
    });
    if (!rows.length) {
      var tr = document.createElement("tr");
      var td = cell(board.dataset.empty);
      td.colSpan = 8;
      td.className = "text-center text-secondary py-4";
      tr.appendChild(td);
      rows.push(tr);
    }
    body.replaceChildren.apply(body, rows);
  }

  window.pollJson(board.dataset.url, 15000, render);
})();
