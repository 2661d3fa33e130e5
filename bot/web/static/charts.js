/* Firebell's Insights charts: each <div data-chart="name"> is drawn with uPlot from the
   JSON block #chart-name beside it (data, never code: the CSP forbids inline scripts).
   The table under each chart holds the same numbers, for screen readers and JS off. */
(function () {
  "use strict";
  var COLOURS = ["#b3261e", "#1f6feb", "#2e7d32", "#8e24aa", "#ef6c00", "#00838f"];
  var DASHES = [[], [6, 4], [], [6, 4], [], [6, 4]];

  function width(el) {
    return Math.max(280, Math.min(el.parentNode.clientWidth || 640, 1000));
  }

  function lineChart(el, d) {
    var series = [{}];
    d.series.forEach(function (s, i) {
      series.push({
        label: s.label + " (" + d.unit + ")",
        stroke: COLOURS[Math.floor(i / 2) % COLOURS.length],
        dash: DASHES[i % DASHES.length],
        width: 2,
        spanGaps: true,
        points: { show: true, size: 6 }
      });
    });
    var data = [d.x].concat(d.series.map(function (s) { return s.values; }));
    return new uPlot({
      width: width(el), height: 280, series: series,
      scales: { x: { time: true } },
      axes: [{}, { label: d.unit }]
    }, data, el);
  }

  function barChart(el, d, stacked) {
    // Categories along x at 0..n-1; stacked series are drawn as running sums, the
    // largest first, so each shorter sum is painted over it.
    var n = d.x.length;
    var xs = d.x.map(function (_, i) { return i; });
    var raw = d.series.map(function (s) { return s.values; });
    var drawn = raw;
    if (stacked) {
      drawn = raw.map(function (_, k) {
        return xs.map(function (i) {
          var sum = 0;
          for (var j = 0; j <= raw.length - 1 - k; j++) { sum += raw[j][i] || 0; }
          return sum;
        });
      });
    }
    var order = stacked ? raw.map(function (_, k) { return raw.length - 1 - k; }) : raw.map(function (_, k) { return k; });
    var bars = uPlot.paths.bars({ size: [0.6, 80] });
    var series = [{ value: function (u, v) { return v == null ? "" : d.x[v]; } }];
    drawn.forEach(function (values, k) {
      var s = order[k];
      series.push({
        label: d.series[s].label,
        fill: COLOURS[s % COLOURS.length],
        stroke: COLOURS[s % COLOURS.length],
        paths: bars,
        points: { show: false },
        value: function (u, v, si, i) { return i == null ? "" : raw[s][i]; }
      });
    });
    return new uPlot({
      width: width(el), height: 280, series: series,
      scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: function (u, lo, hi) { return [0, Math.max(hi, 1)]; } } },
      axes: [
        { splits: function () { return xs; }, values: function (u, ticks) { return ticks.map(function (t) { return d.x[t]; }); } },
        { label: d.unit }
      ]
    }, [xs].concat(drawn), el);
  }

  function draw() {
    if (typeof uPlot === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var block = document.getElementById("chart-" + el.getAttribute("data-chart"));
      if (!block) { return; }
      var d = JSON.parse(block.textContent);
      if (d.kind === "line") { lineChart(el, d); } else { barChart(el, d, d.kind === "stacked"); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
