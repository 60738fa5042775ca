// Draws the report charts with uPlot. Each <figure data-chart> carries its data as JSON in the
// attribute (the CSP allows no inline script): { title, xLabel, tz, x: epoch seconds, series: [{ label,
// values, kind: "bars" | "line", color, axis: 0 | 1, unit }] }. Buttons with data-print print the page.
(function () {
  "use strict";

  function draw(fig) {
    if (fig.dataset.drawn || typeof uPlot === "undefined") return;
    fig.dataset.drawn = "1";
    var spec = JSON.parse(fig.dataset.chart);
    var area = fig.querySelector(".chart-area");
    var bars = uPlot.paths.bars({ size: [0.7, 40] });
    var units = [null, null];
    var series = [{ label: spec.xLabel }];
    spec.series.forEach(function (s) {
      var axis = s.axis || 0;
      units[axis] = units[axis] || s.unit;
      series.push({
        label: s.label,
        stroke: s.color,
        fill: s.kind === "bars" ? s.color + "88" : undefined,
        width: s.kind === "bars" ? 1 : 2,
        scale: axis ? "right" : "left",
        paths: s.kind === "bars" ? bars : undefined,
        points: { show: s.kind !== "bars" && s.values.length < 60 },
        spanGaps: false,
      });
    });
    var axes = [{}, { scale: "left", label: units[0] || "" }];
    if (units[1]) axes.push({ scale: "right", side: 1, label: units[1], grid: { show: false } });
    var opts = {
      width: Math.max(320, area.clientWidth || 800),
      height: 240,
      tzDate: function (ts) {
        return uPlot.tzDate(new Date(ts * 1000), spec.tz || "UTC");
      },
      scales: { x: { time: true }, left: { range: function (u, min, max) { return [0, Math.max(1, max)]; } }, right: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      series: series,
      axes: axes,
    };
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    var plot = new uPlot(opts, data, area);
    window.addEventListener("resize", function () {
      plot.setSize({ width: Math.max(320, area.clientWidth || 800), height: 240 });
    });
  }

  function init() {
    document.querySelectorAll("figure[data-chart]").forEach(draw);
    document.querySelectorAll("[data-print]").forEach(function (b) {
      if (b.dataset.bound) return;
      b.dataset.bound = "1";
      b.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  // Charts inside content htmx swaps in (the dashboard refreshes itself) are drawn after the swap.
  document.addEventListener("htmx:after:settle", init);
})();
