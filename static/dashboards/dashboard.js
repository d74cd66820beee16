/* Dashboard charts (ECharts), drawn from the JSON endpoints named in data-url. No inline JS.
 *
 * Tooltips are built here as DOM nodes, every text through textContent, and styled by classes in
 * dashboard.css. ECharts' own HTML tooltip is a string of markup with style="…" attributes, which
 * the CSP refuses (a console error per hover, an unstyled tooltip); and whatever string a
 * formatter returns goes in as HTML, so a street's name must never be put into one. The chart
 * itself is SVG, whose text ECharts writes as text.
 */
(function () {
  "use strict";
  var font = 'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  // Labels in dark grey (ECharts' own #6e7079 is under 4.5:1 on the page's grey) and sized from
  // the page, so the large-text mode (适老化) enlarges them too: 13 px, 14.6 px in large text.
  var ink = "#343a40";
  var labelSize = Math.round(parseFloat(getComputedStyle(document.body).fontSize) * 0.8125);
  var text = { fontFamily: font, color: ink, fontSize: labelSize };
  var axisLabel = { color: ink, fontSize: labelSize };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // An axis tooltip: the category (a month, a street) and one row per series; units[i] is the
  // unit after series i's value ("%" for rates).
  function axisTooltip(units) {
    return function (params) {
      params = [].concat(params);
      var box = el("div", "chart-tooltip");
      if (!params.length) return box;
      box.appendChild(el("div", "chart-tooltip-title", params[0].name));
      params.forEach(function (p) {
        var row = el("div", "chart-tooltip-row");
        var marker = el("span", "chart-tooltip-marker");
        marker.style.backgroundColor = p.color; // CSSOM: allowed by the CSP, unlike style="…"
        row.appendChild(marker);
        row.appendChild(el("span", "chart-tooltip-name", p.seriesName));
        var value = p.value === null || p.value === undefined || p.value === "-"
          ? "—" : p.value + (units[p.seriesIndex] || "");
        row.appendChild(el("span", "chart-tooltip-value", value));
        box.appendChild(row);
      });
      return box;
    };
  }

  function draw(element, option) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function load(element, build) {
    fetch(element.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) { draw(element, build(data, element.dataset)); })
      .catch(function () { element.textContent = "—"; });
  }

  var trend = document.getElementById("trend-chart");
  if (trend) {
    load(trend, function (data, labels) {
      var months = data.months.map(function (m) { return m.month.slice(2); });
      return {
        textStyle: text,
        tooltip: { trigger: "axis", formatter: axisTooltip(["", "", "%"]) },
        legend: { top: 0, textStyle: text },
        grid: { left: 36, right: 40, top: 32, bottom: 24 },
        xAxis: { type: "category", data: months, axisLabel: axisLabel },
        yAxis: [{ type: "value", minInterval: 1, axisLabel: axisLabel },
                { type: "value", max: 100, axisLabel: { color: ink, fontSize: labelSize, formatter: "{value}%" } }],
        series: [
          { name: labels.labelFound, type: "bar", data: data.months.map(function (m) { return m.found; }), itemStyle: { color: "#6f94c2" } },
          { name: labels.labelClosed, type: "bar", data: data.months.map(function (m) { return m.closed; }), itemStyle: { color: "#0b4f8a" } },
          { name: labels.labelRate, type: "line", yAxisIndex: 1, connectNulls: true, data: data.months.map(function (m) { return m.closure_rate; }), itemStyle: { color: "#d7263d" } }
        ]
      };
    });
  }

  var streets = document.getElementById("streets-chart");
  if (streets) {
    load(streets, function (data, labels) {
      var rows = data.streets.slice().sort(function (a, b) { return (a.closure_rate || 0) - (b.closure_rate || 0); });
      return {
        textStyle: text,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: axisTooltip(["%"]) },
        grid: { left: 96, right: 32, top: 8, bottom: 24 },
        xAxis: { type: "value", max: 100, axisLabel: { color: ink, fontSize: labelSize, formatter: "{value}%" } },
        yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: axisLabel },
        series: [{ name: labels.label, type: "bar", data: rows.map(function (r) { return r.closure_rate; }),
                   itemStyle: { color: "#0b4f8a" }, label: { show: true, position: "right", color: ink, fontSize: labelSize, formatter: "{c}%" } }]
      };
    });
  }
})();
