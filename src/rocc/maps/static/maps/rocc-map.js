/* rocc's map component: Leaflet (served from rocc's own static files) with the approximate national outline, the
   loaded boundaries, an optional operator-configured basemap, and the layers a page asks for (points, hot-spot grid,
   places, an area, a choropleth, near-repeat pairs). Large layers draw on one canvas per layer, redrawn when the map stops moving.
   Keyboard: the map takes focus (Tab), arrow keys pan, + and - zoom; every feature is also a row of the table beside
   the map, whose "Show on map" button centres the map on it and opens its details. Nothing is fetched from outside
   rocc unless the operator configured a tile server. */
(function () {
  "use strict";
  if (window.roccMapLoaded) return;  // one copy of the component however many maps a page includes
  window.roccMapLoaded = true;

  var HOT_COLOURS = { 95: "#f16913", 99: "#a50f15" };
  var SHADES = ["rgba(0,0,0,0)", "#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"];

  function worldX(lon) { return (lon + 180) / 360 * 256; }
  function worldY(lat) {
    var s = Math.sin(lat * Math.PI / 180);
    return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256;
  }
  function fmt(value, digits) {
    if (value === null || value === undefined) return "–";
    return Number(value).toLocaleString("en-NZ", { maximumFractionDigits: digits === undefined ? 2 : digits });
  }
  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + " answered " + r.status);
      return r.json();
    });
  }

  /* A layer drawn on its own canvas in its own pane: the canvas moves with the map while dragging and is redrawn
     (in container coordinates) when the map stops. */
  var CanvasLayer = L.Layer.extend({
    initialize: function (options) { this.options = options; },
    onAdd: function (map) {
      this._map = map;
      var pane = map.getPane(this.options.pane) || map.createPane(this.options.pane);
      pane.style.zIndex = this.options.zIndex || 350;
      pane.style.pointerEvents = "none";
      this._canvas = L.DomUtil.create("canvas", "rocc-map-canvas-layer", pane);
      this._canvas.setAttribute("aria-hidden", "true");
      map.on("moveend resize zoomend viewreset", this._schedule, this);
      this._redraw();
    },
    onRemove: function (map) {
      map.off("moveend resize zoomend viewreset", this._schedule, this);
      L.DomUtil.remove(this._canvas);
    },
    // A burst of map events (fitBounds fires several) draws once, on the next frame.
    _schedule: function () {
      if (this._pending) return;
      this._pending = true;
      var self = this;
      window.requestAnimationFrame(function () { self._pending = false; if (self._map) self._redraw(); });
    },
    _redraw: function () {
      var map = this._map, size = map.getSize(), ratio = window.devicePixelRatio || 1, canvas = this._canvas;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      canvas.width = size.x * ratio; canvas.height = size.y * ratio;
      canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      // Container point of a world (zoom 0) coordinate: the map's transform, read once per draw.
      var scale = map.getZoomScale(map.getZoom(), 0);
      var origin = map.latLngToContainerPoint([0, 0]);
      var x0 = origin.x - worldX(0) * scale, y0 = origin.y - worldY(0) * scale;
      var started = performance.now();
      this.options.draw(ctx, function (wx) { return x0 + wx * scale; }, function (wy) { return y0 + wy * scale; }, size, map.getZoom());
      this.lastDrawMs = performance.now() - started;
      this._view = { x0: x0, y0: y0, scale: scale };
    },
    toContainer: function (wx, wy) { var v = this._view; return [v.x0 + wx * v.scale, v.y0 + wy * v.scale]; }
  });

  function day(d) { return new Date(d * 86400000).toISOString().slice(0, 10); }

  function pointsLayer(map, data, figure) {
    // Longitude and latitude come as 1/100,000 degree offsets from the layer's smallest, dates as days from its first.
    var n = data.dlon_e5.length, wx = new Float64Array(n), wy = new Float64Array(n);
    data.lon = new Float64Array(n); data.lat = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      data.lon[i] = (data.lon0_e5 + data.dlon_e5[i]) / 1e5; data.lat[i] = (data.lat0_e5 + data.dlat_e5[i]) / 1e5;
      wx[i] = worldX(data.lon[i]); wy[i] = worldY(data.lat[i]);
    }
    function about(i) { return "<strong>Event " + esc(data.id[i]) + "</strong><br>" + day(data.day0 + data.dday[i]) + ", offence " + esc(data.offences[data.offence[i]]); }
    var layer = new CanvasLayer({
      pane: "roccPoints", zIndex: 420,
      draw: function (ctx, px, py, size, zoom) {
        // Zoomed out, points pool into clusters of a 36-pixel grid (count written on each); zoomed in, each is a dot.
        var clusters = zoom < 13 && n > 200, bins = {};
        ctx.fillStyle = "#08519c"; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1;
        if (!clusters) ctx.beginPath();
        for (var i = 0; i < n; i++) {
          var x = px(wx[i]), y = py(wy[i]);
          if (x < -8 || y < -8 || x > size.x + 8 || y > size.y + 8) continue;
          if (clusters) {
            var key = Math.floor(x / 36) + ":" + Math.floor(y / 36), b = bins[key];
            if (b) { b[0] += x; b[1] += y; b[2] += 1; } else { bins[key] = [x, y, 1]; }
          } else { ctx.moveTo(x + 3, y); ctx.arc(x, y, 3, 0, 2 * Math.PI); }
        }
        if (!clusters) { ctx.fill(); ctx.stroke(); return; }
        ctx.font = "bold 11px system-ui, sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
        Object.keys(bins).forEach(function (key) {
          var b = bins[key], cx = b[0] / b[2], cy = b[1] / b[2], r = b[2] === 1 ? 3 : Math.min(20, 7 + Math.log(b[2]) * 2.5);
          ctx.beginPath(); ctx.arc(cx, cy, r, 0, 2 * Math.PI); ctx.fillStyle = b[2] === 1 ? "#08519c" : "rgba(8,81,156,0.85)";
          ctx.fill(); ctx.stroke();
          if (b[2] > 1) { ctx.fillStyle = "#ffffff"; ctx.fillText(b[2] > 9999 ? Math.round(b[2] / 1000) + "k" : String(b[2]), cx, cy); }
        });
      }
    }).addTo(map);
    map.on("click", function (e) {
      var best = -1, bestD = 64, p = e.containerPoint;
      for (var i = 0; i < n; i++) {
        var c = layer.toContainer(wx[i], wy[i]), d = (c[0] - p.x) * (c[0] - p.x) + (c[1] - p.y) * (c[1] - p.y);
        if (d < bestD) { bestD = d; best = i; }
      }
      if (best >= 0) {
        L.popup().setLatLng([data.lat[best], data.lon[best]]).setContent(about(best)).openOn(map);
      }
    });
    figure.rocc.showPoint = function (i) {
      map.setView([data.lat[i], data.lon[i]], Math.max(map.getZoom(), 15));
      L.popup().setLatLng([data.lat[i], data.lon[i]]).setContent(about(i)).openOn(map);
    };
    var bounds = [];
    if (n) {
      var minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
      for (var k = 0; k < n; k++) {
        if (data.lat[k] < minLat) minLat = data.lat[k]; if (data.lat[k] > maxLat) maxLat = data.lat[k];
        if (data.lon[k] < minLon) minLon = data.lon[k]; if (data.lon[k] > maxLon) maxLon = data.lon[k];
      }
      bounds = [[minLat, minLon], [maxLat, maxLon]];
    }
    return { layer: layer, bounds: bounds };
  }

  function gridLayer(map, data, figure) {
    var pr = data.projection, n = data.col.length, cell = data.cell, west = data.origin[0], south = data.origin[1];
    function lonlat(x, y) {
      var u = (x - pr.origin[0]) / pr.scale, v = (y - pr.origin[1]) / pr.scale;
      var t = [1, u, v, u * u, u * v, v * v, u * u * u, u * u * v, u * v * v, v * v * v], lo = 0, la = 0;
      for (var k = 0; k < 10; k++) { lo += pr.lon[k] * t[k]; la += pr.lat[k] * t[k]; }
      return [lo, la];
    }
    // Each cell's south-west and north-east corners in world coordinates (the polynomial inlined: 180,000 corners).
    var corners = new Float64Array(n * 8), lo = pr.lon, la = pr.lat;
    function corner(x, y, at) {
      var u = (x - pr.origin[0]) / pr.scale, v = (y - pr.origin[1]) / pr.scale, uu = u * u, vv = v * v, uv = u * v;
      var lon = lo[0] + lo[1] * u + lo[2] * v + lo[3] * uu + lo[4] * uv + lo[5] * vv + lo[6] * uu * u + lo[7] * uu * v + lo[8] * u * vv + lo[9] * vv * v;
      var lat = la[0] + la[1] * u + la[2] * v + la[3] * uu + la[4] * uv + la[5] * vv + la[6] * uu * u + la[7] * uu * v + la[8] * u * vv + la[9] * vv * v;
      corners[at] = worldX(lon); corners[at + 1] = worldY(lat);
    }
    for (var i = 0; i < n; i++) {
      var x = west + data.col[i] * cell, y = south + data.row[i] * cell;
      corner(x, y, i * 8);
      corner(x + cell, y + cell, i * 8 + 4);
    }
    var show = { density: true, hot: true };
    // Cells grouped once by what colours them, so a draw sets each colour once.
    var byShade = [], byHot = { 95: [], 99: [] };
    for (var s0 = 0; s0 < SHADES.length; s0++) byShade.push([]);
    for (var c0 = 0; c0 < n; c0++) {
      if (data.shade[c0] > 0) byShade[data.shade[c0]].push(c0);
      if (data.hot[c0] === 95 || data.hot[c0] === 99) byHot[data.hot[c0]].push(c0);
    }
    // A cell is drawn as the screen rectangle between its south-west and north-east corners (the grid's turn against
    // north on the map is under a degree in New Zealand), at least one pixel, so a country-wide view stays fast.
    function rect(px, py, i, size) {
      var o = i * 8, x1 = px(corners[o]), y1 = py(corners[o + 5]), x2 = px(corners[o + 4]), y2 = py(corners[o + 1]);
      if (x2 < 0 || y2 < 0 || x1 > size.x || y1 > size.y) return null;
      return [x1, y1, Math.max(1, x2 - x1), Math.max(1, y2 - y1)];
    }
    var layer = new CanvasLayer({
      pane: "roccGrid", zIndex: 380,
      draw: function (ctx, px, py, size) {
        var r, i, k;
        if (show.density) {
          // Zoomed out, many cells share a pixel: each pixel is filled once per shade.
          var tiny = n && rect(px, py, 0, { x: Infinity, y: Infinity })[2] < 2, seen = tiny ? new Uint8Array(size.x * size.y) : null;
          ctx.globalAlpha = 0.75;
          for (var s = 1; s < SHADES.length; s++) {
            ctx.fillStyle = SHADES[s];
            for (k = 0; k < byShade[s].length; k++) {
              r = rect(px, py, byShade[s][k], size);
              if (!r) continue;
              if (tiny) {
                var key = Math.floor(r[0]) + Math.floor(r[1]) * size.x;
                if (key < 0 || key >= seen.length || seen[key] === s) continue;
                seen[key] = s;
              }
              ctx.fillRect(r[0], r[1], r[2], r[3]);
            }
          }
          ctx.globalAlpha = 1;
        }
        if (show.hot) {
          [95, 99].forEach(function (level) {
            var list = byHot[level];
            for (k = 0; k < list.length; k++) {
              i = list[k]; r = rect(px, py, i, size);
              if (!r) continue;
              ctx.globalAlpha = 0.55; ctx.fillStyle = HOT_COLOURS[level]; ctx.fillRect(r[0], r[1], r[2], r[3]); ctx.globalAlpha = 1;
              if (r[2] > 3) { ctx.strokeStyle = level === 99 ? "#000000" : "#67000d"; ctx.lineWidth = level === 99 ? 2 : 1; ctx.strokeRect(r[0], r[1], r[2], r[3]); }
            }
          });
        }
      }
    }).addTo(map);
    function scaled(v, f) { return v < 0 ? null : v / f; }
    function pText(v) { return v < 0 ? "–" : v < 1000 ? "< 0.001" : (v / 1e6).toFixed(3); }
    function details(i) {
      var cx = west + (data.col[i] + 0.5) * cell, cy = south + (data.row[i] + 0.5) * cell;
      return "<strong>Cell " + fmt(cx, 0) + " E, " + fmt(cy, 0) + " N</strong> (NZTM centre)" +
        (data.area && data.area[i] ? "<br>Area: " + esc(data.area[i]) : "") +
        "<br>Events: " + fmt(scaled(data.count_e2[i], 100)) + "<br>Density: " + fmt(scaled(data.density_e2[i], 100), 1) + " " + esc(data.density_unit) +
        "<br>Gi* z: " + fmt(data.z_e2[i] <= -1e9 ? null : data.z_e2[i] / 100) + "<br>" + esc(data.p_label) + ": " + pText(data.p_e6[i]) +
        "<br>" + (data.hot[i] ? "Hot spot at " + data.hot[i] + "%" : "Not a hot spot");
    }
    function centre(i) {
      var ll = lonlat(west + (data.col[i] + 0.5) * cell, south + (data.row[i] + 0.5) * cell);
      return [ll[1], ll[0]];
    }
    map.on("click", function (e) {
      var p = e.containerPoint;
      for (var i = n - 1; i >= 0; i--) {
        var a = layer.toContainer(corners[i * 8], corners[i * 8 + 1]), c = layer.toContainer(corners[i * 8 + 4], corners[i * 8 + 5]);
        if (p.x >= Math.min(a[0], c[0]) && p.x <= Math.max(a[0], c[0]) && p.y >= Math.min(a[1], c[1]) && p.y <= Math.max(a[1], c[1])) {
          L.popup().setLatLng(e.latlng).setContent(details(i)).openOn(map);
          return;
        }
      }
    });
    figure.rocc.showCell = function (i) {
      var ll = centre(i);
      map.setView(ll, Math.max(map.getZoom(), 15));
      L.popup().setLatLng(ll).setContent(details(i)).openOn(map);
    };
    figure.rocc.setShown = function (what, on) { show[what] = on; layer._redraw(); };
    (data.top || []).forEach(function (spot) {
      L.circleMarker([spot.lat, spot.lon], { radius: 5, color: "#000", weight: 2, fillColor: "#fff", fillOpacity: 1, interactive: false })
        .bindTooltip(spot.rank + (spot.area ? " · " + spot.area : ""), { permanent: true, direction: "right", className: "rocc-map-label" })
        .addTo(map);
    });
    var maxCol = 0, maxRow = 0, minCol = Infinity, minRow = Infinity;
    for (var m = 0; m < n; m++) {
      if (data.col[m] > maxCol) maxCol = data.col[m]; if (data.row[m] > maxRow) maxRow = data.row[m];
      if (data.col[m] < minCol) minCol = data.col[m]; if (data.row[m] < minRow) minRow = data.row[m];
    }
    if (!n) { minCol = minRow = 0; }
    var sw = lonlat(west + cell * minCol, south + cell * minRow), ne = lonlat(west + cell * (maxCol + 1), south + cell * (maxRow + 1));
    return { layer: layer, bounds: [[sw[1], sw[0]], [ne[1], ne[0]]] };
  }

  function placesLayer(map, data, figure) {
    var group = L.featureGroup().addTo(map), markers = [];
    data.places.forEach(function (place) {
      var text = "<strong>" + esc(place.label) + "</strong>" + (place.area ? "<br>Area: " + esc(place.area) : "") +
        "<br>Alert " + esc(place.alert) + "<br>" + fmt(place.x, 0) + " E, " + fmt(place.y, 0) + " N (NZTM)" +
        "<br>Deconfliction distance " + fmt(data.radius_m, 0) + " m (circle)";
      L.circle([place.lat, place.lon], { radius: data.radius_m, color: "#a50f15", weight: 2, fillOpacity: 0.08 }).addTo(group);
      var marker = L.circleMarker([place.lat, place.lon], { radius: 6, color: "#000", weight: 2, fillColor: "#a50f15", fillOpacity: 1 }).bindPopup(text).addTo(group);
      markers.push(marker);
    });
    figure.rocc.showPlace = function (i) { map.setView(markers[i].getLatLng(), Math.max(map.getZoom(), 15)); markers[i].openPopup(); };
    return { layer: group, bounds: markers.length ? group.getBounds() : null };
  }

  function areaLayer(map, data) {
    if (!data.geometry) return { layer: null, bounds: null };
    var layer = L.geoJSON(data.geometry, { style: { color: "#08519c", weight: 3, fillColor: "#6baed6", fillOpacity: 0.25 } })
      .bindPopup("<strong>" + esc(data.shown) + "</strong> (" + esc(data.level) + ")<br>" + fmt(data.area_km2, 1) + " km²").addTo(map);
    return { layer: layer, bounds: layer.getBounds() };
  }

  function choroplethLayer(map, data, figure) {
    var byCode = {}, layers = {};
    var features = data.units.filter(function (u) { return u.geometry; }).map(function (u) {
      byCode[u.code] = u;
      return { type: "Feature", geometry: u.geometry, properties: { code: u.code } };
    });
    function text(u) {
      var value = u.suppressed ? "suppressed (small numbers are protected)" : u.value === null ? "no figure" : fmt(u.value) + " " + esc(data.unit_label);
      return "<strong>" + esc(u.name) + "</strong><br>" + value + (u.period_label ? "<br>" + esc(u.period_label) : "") +
        (u.class_number ? "<br>Class " + u.class_number + " of " + data.classes.length : "") + (u.protected && !u.suppressed ? "<br>Randomly rounded (disclosure control)" : "");
    }
    var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (f) {
        var u = byCode[f.properties.code];
        if (u.suppressed) return { color: "#333", weight: 1.5, dashArray: "4 3", fillColor: "#bdbdbd", fillOpacity: 0.9 };
        if (u.value === null) return { color: "#333", weight: 1, dashArray: "1 4", fillColor: "#ffffff", fillOpacity: 0.6 };
        return { color: "#333", weight: 1, fillColor: u.colour, fillOpacity: 0.85 };
      },
      onEachFeature: function (f, l) { l.bindPopup(text(byCode[f.properties.code])); layers[f.properties.code] = l; }
    }).addTo(map);
    figure.rocc.showUnit = function (code) {
      var l = layers[code];
      if (l) { map.fitBounds(l.getBounds()); l.openPopup(); }
    };
    return { layer: layer, bounds: features.length ? layer.getBounds() : null };
  }

  /* Near-repeat pairs: a short line between the two linked events, a dot at each end (one canvas, a few thousand). */
  function pairsLayer(map, data, figure) {
    var renderer = L.canvas({ padding: 0.2 }), group = L.featureGroup().addTo(map), lines = [];
    data.lines.forEach(function (p, i) {
      var line = L.polyline([[p[0], p[1]], [p[2], p[3]]], { renderer: renderer, color: "#54278f", weight: 3, opacity: 0.85 })
        .bindPopup(esc(data.labels[i])).addTo(group);
      L.circleMarker([p[0], p[1]], { renderer: renderer, radius: 3, color: "#ffffff", weight: 1, fillColor: "#54278f", fillOpacity: 1, interactive: false }).addTo(group);
      L.circleMarker([p[2], p[3]], { renderer: renderer, radius: 3, color: "#ffffff", weight: 1, fillColor: "#54278f", fillOpacity: 1, interactive: false }).addTo(group);
      lines.push(line);
    });
    figure.rocc.showPair = function (i) {
      var line = lines[i];
      map.fitBounds(line.getBounds(), { maxZoom: Math.max(map.getZoom(), 16), padding: [40, 40] });
      line.openPopup(line.getCenter());
    };
    return { layer: group, bounds: lines.length ? group.getBounds() : null };
  }

  var BUILDERS = { points: pointsLayer, grid: gridLayer, places: placesLayer, area: areaLayer, choropleth: choroplethLayer, pairs: pairsLayer };

  function build(figure) {
    if (figure.dataset.built) return;
    figure.dataset.built = "true";
    var spec = JSON.parse(document.getElementById(figure.dataset.spec).textContent);
    var holder = figure.querySelector(".rocc-map-canvas");
    var status = figure.querySelector(".rocc-map-status");
    var started = performance.now();
    var map = L.map(holder, { zoomAnimation: false, keyboard: true, keyboardPanDelta: 120, worldCopyJump: false, minZoom: 3, maxZoom: 19 });
    figure.rocc = { map: map, spec: spec };
    map.attributionControl.setPrefix('<a href="' + spec.licence_url + '">Leaflet</a>');
    if (spec.basemap) L.tileLayer(spec.basemap.url, { attribution: esc(spec.basemap.attribution), maxZoom: spec.basemap.max_zoom }).addTo(map);
    L.control.scale({ metric: true, imperial: false, maxWidth: 160 }).addTo(map);
    map.setView([-41.0, 174.0], 5);
    var waits = [];
    waits.push(getJSON(spec.outline_url).then(function (outline) {
      L.geoJSON(outline, { interactive: false, style: { color: "#525252", weight: 1, fillColor: "#f0f0f0", fillOpacity: spec.basemap ? 0 : 1 } }).addTo(map).bringToBack();
      map.attributionControl.addAttribution("Outline: Natural Earth (approximate)");
    }));
    if (spec.boundaries_url) {
      waits.push(getJSON(spec.boundaries_url).then(function (b) {
        if (!b.features.length) return;
        var t0 = performance.now();
        // Boundaries can hold hundreds of thousands of vertices: one canvas draws them far faster than an SVG path each.
        L.geoJSON(b, {
          renderer: L.canvas({ padding: 0.2 }),
          style: function (f) { return { color: "#252525", weight: f.properties.level === "district" ? 2 : 1, dashArray: f.properties.level === "area" ? "4 3" : null, fill: false }; },
          onEachFeature: function (f, l) { l.bindTooltip(f.properties.name, { sticky: true }); }
        }).addTo(map);
        figure.rocc.timings = (figure.rocc.timings || []).concat([{ kind: "boundaries", buildMs: performance.now() - t0 }]);
      }));
    }
    var extents = [];
    (spec.layers || []).forEach(function (layerSpec) {
      // A layer fetched from its url gets the spec's other members added (e.g. a saved hot-spot map's area names,
      // which follow the boundaries loaded now, beside cells that were stored once).
      var ready = layerSpec.url ? getJSON(layerSpec.url).then(function (data) {
        Object.keys(layerSpec).forEach(function (key) { if (key !== "url") data[key] = layerSpec[key]; });
        return data;
      }) : Promise.resolve(layerSpec);
      waits.push(ready.then(function (data) {
        var t0 = performance.now();
        var made = BUILDERS[data.kind](map, data, figure);
        figure.rocc.timings = (figure.rocc.timings || []).concat([{ kind: data.kind, buildMs: performance.now() - t0, drawMs: made.layer && made.layer.lastDrawMs }]);
        if (made.bounds && (made.bounds.isValid ? made.bounds.isValid() : made.bounds.length)) extents.push(made.bounds);
        if (data.kind === "points" && figure.querySelector("[data-map-summary]")) {
          figure.querySelector("[data-map-summary]").textContent = fmt(data.located, 0) + " events with coordinates drawn" +
            (data.without_coordinates ? "; " + fmt(data.without_coordinates, 0) + " without coordinates not drawn" : "") +
            (data.left_off ? "; " + fmt(data.left_off, 0) + " left off the map (too many to draw)" : "") + ".";
        }
        figure.rocc.data = data;
      }));
    });
    Promise.all(waits).then(function () {
      if (extents.length) {
        var all = L.latLngBounds(extents[0]);
        extents.slice(1).forEach(function (b) { all.extend(b); });
        map.fitBounds(all, { padding: [20, 20], maxZoom: 15 });
      } else if (spec.bounds) {
        map.fitBounds(spec.bounds);
      }
      figure.dataset.ready = "true";
      figure.dataset.drawMs = String(Math.round(performance.now() - started));
      if (status) status.textContent = "Map ready.";
    }).catch(function (error) {
      if (status) status.textContent = "The map could not be drawn: " + error.message + ". The table below has the same figures.";
      figure.dataset.ready = "error";
    });
    figure.addEventListener("change", function (e) {
      if (e.target.matches("[data-map-toggle]") && figure.rocc.setShown) figure.rocc.setShown(e.target.dataset.mapToggle, e.target.checked);
    });
    var section = figure.closest("[data-map-section]") || document;
    section.addEventListener("click", function (e) {
      var button = e.target.closest("[data-map-show]");
      if (!button) return;
      var kind = button.dataset.mapShow, value = button.dataset.value;
      if (kind === "cell" && figure.rocc.showCell) figure.rocc.showCell(Number(value));
      if (kind === "point" && figure.rocc.showPoint) figure.rocc.showPoint(Number(value));
      if (kind === "place" && figure.rocc.showPlace) figure.rocc.showPlace(Number(value));
      if (kind === "pair" && figure.rocc.showPair) figure.rocc.showPair(Number(value));
      if (kind === "unit" && figure.rocc.showUnit) figure.rocc.showUnit(value);
      holder.scrollIntoView({ block: "nearest" });
      holder.focus();
    });
  }

  function start() { document.querySelectorAll("figure.rocc-map[data-spec]").forEach(build); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
