/* Dashboard charts (ECharts), drawn from the JSON endpoints named in data-url. No inline JS. */
(function () {
  "use strict";
  var font = 'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

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
        textStyle: { fontFamily: font },
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 36, right: 40, top: 32, bottom: 24 },
        xAxis: { type: "category", data: months },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
        series: [
          { name: labels.labelFound, type: "bar", data: data.months.map(function (m) { return m.found; }), itemStyle: { color: "#9fb8d6" } },
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
        textStyle: { fontFamily: font },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 96, right: 32, top: 8, bottom: 24 },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
        series: [{ name: labels.label, type: "bar", data: rows.map(function (r) { return r.closure_rate; }),
                   itemStyle: { color: "#0b4f8a" }, label: { show: true, position: "right", formatter: "{c}%" } }]
      };
    });
  }
})();
