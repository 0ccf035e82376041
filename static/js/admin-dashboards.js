/* The staff dashboards: draw each chart from the figures the page carries (json_script), with the
   vendored Chart.js. The same figures are on the page as a table; the charts add a picture of them. */
(function () {
  "use strict";

  var COLOURS = ["#0f766e", "#f59e0b", "#6366f1", "#dc2626", "#0891b2"];
  var lang = document.documentElement.lang || "ko";

  var FONT = '"Pretendard Variable", Pretendard, "Apple SD Gothic Neo", "Noto Sans KR", sans-serif';

  function unitFormat(unit) {
    var number = new Intl.NumberFormat(lang);
    if (unit === "won") {
      return function (value) {
        return lang.indexOf("ko") === 0 ? number.format(value) + "원" : "₩" + number.format(value);
      };
    }
    if (unit === "percent") { return function (value) { return number.format(value) + "%"; }; }
    if (unit === "hours") { return function (value) { return number.format(value) + (lang.indexOf("ko") === 0 ? "시간" : " h"); }; }
    return function (value) { return number.format(value); };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") { return; }
    var config = JSON.parse(source.textContent);
    var units = [];
    var datasets = config.datasets.map(function (set, index) {
      if (units.indexOf(set.unit) < 0) { units.push(set.unit); }
      var colour = COLOURS[index % COLOURS.length];
      return {
        type: set.kind,
        label: set.label,
        data: set.data,
        yAxisID: units.indexOf(set.unit) === 0 ? "y" : "y1",
        backgroundColor: set.kind === "line" ? colour : colour + "cc",
        borderColor: colour,
        borderWidth: 2,
        tension: 0.25,
        spanGaps: true,
        order: set.kind === "line" ? 0 : 1
      };
    });
    function axis(unit) {
      // Counts are whole numbers: no 0.2 of a case.
      return { beginAtZero: true, ticks: { callback: unitFormat(unit), precision: unit === "count" ? 0 : undefined } };
    }
    var scales = { x: { ticks: { autoSkip: true, maxRotation: 0 } }, y: axis(units[0]) };
    if (units.length > 1) {
      scales.y1 = axis(units[1]);
      scales.y1.position = "right";
      scales.y1.grid = { drawOnChartArea: false };
    }
    canvas.chart = new window.Chart(canvas, {
      type: config.kind,
      data: { labels: config.axis_labels || config.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var set = config.datasets[item.datasetIndex];
                return set.label + ": " + (item.raw === null ? "—" : unitFormat(set.unit)(item.raw));
              }
            }
          }
        }
      }
    });
    canvas.dataset.drawn = "true";
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  }

  function start() {
    if (typeof window.Chart !== "undefined") { window.Chart.defaults.font.family = FONT; }
    // A canvas does not ask for web-font glyphs: load the Korean ones the labels use first, then draw.
    if (document.fonts && document.fonts.load) {
      document.fonts.load('12px "Pretendard Variable"', "0123456789월화수목금토일시간원주년").then(drawAll, drawAll);
    } else {
      drawAll();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
