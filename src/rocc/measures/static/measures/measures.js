/* Interactive charts of the measures pages, drawn with plotly.js served by rocc (offline). The figures come from
   JSON blocks the page renders with json_script; the same figures are in the tables beside each chart. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var layoutBase = {
    margin: { l: 60, r: 20, t: 30, b: 60 },
    font: { family: "system-ui, sans-serif", size: 13, color: "#1b1f23" },
    legend: { orientation: "h", y: -0.2 },
    hovermode: "x unified"
  };

  function curve(data) {
    var pts = data.points;
    var x = pts.map(function (p) { return p.period_end; });
    var traces = [{
      x: x, y: pts.map(function (p) { return p.value; }), name: data.name, mode: "lines+markers", type: "scatter",
      line: { color: "#0b4f6c", width: 3 }, connectgaps: false,
      text: pts.map(function (p) { return p.label + (p.is_approximate ? " (approximate population)" : "") + (p.suppressed ? " (suppressed)" : ""); }),
      hovertemplate: "%{text}: %{y:,.1f}<extra></extra>"
    }];
    var glide = pts.filter(function (p) { return p.glide !== null; });
    if (glide.length) {
      traces.push({ x: glide.map(function (p) { return p.period_end; }), y: glide.map(function (p) { return p.glide; }),
        name: "Glide path", mode: "lines", line: { color: "#8a5300", dash: "dash", width: 2 }, hovertemplate: "Glide path: %{y:,.1f}<extra></extra>" });
      traces.push({ x: [x[0], x[x.length - 1]], y: [glide[0].baseline, glide[0].baseline], name: "Baseline", mode: "lines",
        line: { color: "#4a5560", dash: "dot", width: 1.5 }, hoverinfo: "skip" });
      traces.push({ x: [x[0], x[x.length - 1]], y: [glide[0].target, glide[0].target], name: "Target", mode: "lines",
        line: { color: "#1e6b34", dash: "dot", width: 1.5 }, hoverinfo: "skip" });
    }
    if (data.forecast && data.forecast.length) {
      var fx = data.forecast.map(function (f) { return f.date; });
      traces.push({ x: fx.concat(fx.slice().reverse()),
        y: data.forecast.map(function (f) { return f.high; }).concat(data.forecast.map(function (f) { return f.low; }).reverse()),
        fill: "toself", fillcolor: "rgba(10,85,160,0.15)", line: { width: 0 }, name: "Forecast 95% interval", hoverinfo: "skip", type: "scatter" });
      traces.push({ x: fx, y: data.forecast.map(function (f) { return f.value; }), name: "Forecast", mode: "lines+markers",
        line: { color: "#0a55a0", dash: "dash" }, hovertemplate: "Forecast: %{y:,.1f}<extra></extra>" });
    }
    var layout = Object.assign({}, layoutBase, { yaxis: { title: { text: data.unit_label }, rangemode: "tozero" }, xaxis: { type: "date" } });
    window.Plotly.newPlot("curve-chart", traces, layout, { responsive: true, displaylogo: false });
  }

  function compare(data) {
    var rows = data.districts.filter(function (d) { return d.value !== null && d.value !== undefined; });
    var trace = {
      type: "bar", orientation: "h", y: rows.map(function (d) { return d.unit; }), x: rows.map(function (d) { return d.value; }),
      marker: { color: rows.map(function (d) { return { on_track: "#1e6b34", at_risk: "#8a5300", off_track: "#a4262c" }[d.status] || "#4a5560"; }) },
      error_x: { type: "data", symmetric: false, color: "#1b1f23",
        array: rows.map(function (d) { return d.interval_high !== null ? d.interval_high - d.value : 0; }),
        arrayminus: rows.map(function (d) { return d.interval_low !== null ? d.value - d.interval_low : 0; }) },
      hovertemplate: "%{y}: %{x:,.1f}<extra></extra>", name: data.name
    };
    var shapes = [];
    if (data.national && data.national.value !== null) {
      shapes.push({ type: "line", x0: data.national.value, x1: data.national.value, yref: "paper", y0: 0, y1: 1, line: { color: "#0b4f6c", dash: "dash" } });
    }
    var layout = Object.assign({}, layoutBase, { shapes: shapes, xaxis: { title: { text: data.unit_label } }, margin: { l: 140, r: 20, t: 30, b: 60 }, hovermode: "closest" });
    window.Plotly.newPlot("compare-chart", [trace], layout, { responsive: true, displaylogo: false });
  }

  function start() {
    if (!window.Plotly) { return; }
    var c = readJson("curve-data");
    if (c && document.getElementById("curve-chart")) { curve(c); }
    var d = readJson("compare-data");
    if (d && document.getElementById("compare-chart")) { compare(d); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
