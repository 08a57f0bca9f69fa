/* zhaoshang-kg map view: an SVG drawn by this script from the JSON block; no tiles, no network.
   Longitude and latitude are projected equirectangularly (x scaled by the cosine of the middle latitude).
   Every string reaches the page through textContent. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var T = D.text;
  var NS = "http://www.w3.org/2000/svg";
  var state = { ready: false, readyMs: null, errors: [] };
  window.kgMap = state;
  window.addEventListener("error", function (e) { state.errors.push(String(e.message)); });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return String(values[k]); });
  }

  /* ---- projection ---- */
  var pts = D.places.concat(D.projects);
  var minLon = 180, maxLon = -180, minLat = 90, maxLat = -90;
  pts.forEach(function (p) {
    minLon = Math.min(minLon, p.lon); maxLon = Math.max(maxLon, p.lon);
    minLat = Math.min(minLat, p.lat); maxLat = Math.max(maxLat, p.lat);
  });
  if (!pts.length) { minLon = 73; maxLon = 135; minLat = 18; maxLat = 54; }
  var lat0 = (minLat + maxLat) / 2, lon0 = (minLon + maxLon) / 2;
  var S = 100, C = Math.cos(lat0 * Math.PI / 180);
  function project(lon, lat) { return [(lon - lon0) * C * S, (lat0 - lat) * S]; }
  var pad = 1.5;
  var a = project(minLon - pad, maxLat + pad), b = project(maxLon + pad, minLat - pad);
  /* the first view frames what is linked (chambers, task forces, projects); zoom out for the rest */
  var focus = D.places.filter(function (p) { return p.linked; }).concat(D.projects);
  if (!focus.length) { focus = pts; }
  var fx0 = 180, fx1 = -180, fy0 = 90, fy1 = -90;
  focus.forEach(function (p) {
    fx0 = Math.min(fx0, p.lon); fx1 = Math.max(fx1, p.lon); fy0 = Math.min(fy0, p.lat); fy1 = Math.max(fy1, p.lat);
  });
  if (!focus.length) { fx0 = minLon; fx1 = maxLon; fy0 = minLat; fy1 = maxLat; }
  var grow = Math.max(0, 8 - (fx1 - fx0)) / 2, growY = Math.max(0, 6 - (fy1 - fy0)) / 2;
  a = project(fx0 - 1 - grow, fy1 + 1 + growY); b = project(fx1 + 1 + grow, fy0 - 1 - growY);
  var home = { x: a[0], y: a[1], w: b[0] - a[0], h: b[1] - a[1] };
  var vb = { x: home.x, y: home.y, w: home.w, h: home.h };

  var host = document.getElementById("kg-map");
  var root = svg("svg", { role: "img", "aria-label": D.title, preserveAspectRatio: "xMidYMid meet" });
  var defs = svg("defs");
  [["chamber", "#8e24aa"], ["taskforce", "#d81b60"]].forEach(function (m) {
    var marker = svg("marker", { id: "kg-arrow-" + m[0], viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
                                 markerHeight: 7, orient: "auto-start-reverse", markerUnits: "userSpaceOnUse" });
    marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: m[1] }));
    defs.appendChild(marker);
  });
  root.appendChild(defs);
  var layers = {};
  ["outlines", "graticule", "places", "chamber", "taskforce", "projects", "labels"].forEach(function (name) {
    layers[name] = svg("g", { "data-layer": name });
    root.appendChild(layers[name]);
  });
  host.appendChild(root);

  /* outlines of regions (provinces always; cities and counties once zoomed in), shaded by an amount */
  var outlineNodes = [];
  var shades = D.outlines.filter(function (o) { return o.shade !== null; }).map(function (o) { return o.shade; });
  var lo = Math.log10(Math.min.apply(null, shades.concat([1e12]))), hi = Math.log10(Math.max.apply(null, shades.concat([1])));
  var RAMP = ["#fff3e0", "#ffe0b2", "#ffcc80", "#ffb74d", "#fb8c00", "#e65100"];
  function shadeOf(v) {
    if (v === null) { return "#f5f7f8"; }
    var t = hi > lo ? (Math.log10(v) - lo) / (hi - lo) : 1;
    return RAMP[Math.min(RAMP.length - 1, Math.floor(t * (RAMP.length - 1) + 0.5))];
  }
  D.outlines.forEach(function (o, i) {
    var d = o.rings.map(function (ring) {
      return "M" + ring.map(function (pt) { var q = project(pt[0], pt[1]); return q[0].toFixed(1) + "," + q[1].toFixed(1); }).join("L") + "Z";
    }).join("");
    var path = svg("path", { d: d, fill: o.level === 0 ? shadeOf(o.shade) : "none", stroke: o.level === 0 ? "#90a4ae" : "#b0bec5",
                             "stroke-width": o.level === 0 ? 1 : 0.6, "vector-effect": "non-scaling-stroke",
                             "fill-opacity": o.level === 0 ? 1 : 0, "data-kind": "outline", "data-level": o.level, "data-i": i });
    if (o.level > 0 && o.shade !== null) { path.setAttribute("fill", shadeOf(o.shade)); path.setAttribute("fill-opacity", "0.85"); }
    var title = svg("title");
    title.textContent = o.label + (o.text ? " · " + o.text : "");
    path.appendChild(title);
    layers.outlines.appendChild(path);
    outlineNodes.push([path, o.level]);
  });
  /* graticule every 5 degrees, when there are no outlines to frame the points */
  var g0 = Math.floor((minLon - pad) / 5) * 5, g1 = Math.ceil((maxLon + pad) / 5) * 5;
  var h0 = Math.floor((minLat - pad) / 5) * 5, h1 = Math.ceil((maxLat + pad) / 5) * 5;
  var gratLabels = [];
  if (D.outlines.length) { g1 = g0 - 5; h1 = h0 - 5; }
  for (var lon = g0; lon <= g1; lon += 5) {
    var p0 = project(lon, h0), p1 = project(lon, h1);
    layers.graticule.appendChild(svg("line", { x1: p0[0], y1: p0[1], x2: p1[0], y2: p1[1], class: "kg-grat", "vector-effect": "non-scaling-stroke" }));
    var t = svg("text", { x: p1[0] + 4, y: p1[1] + 14, class: "kg-grat-label" });
    t.textContent = lon + "°E";
    layers.graticule.appendChild(t); gratLabels.push(t);
  }
  for (var lat = h0; lat <= h1; lat += 5) {
    var q0 = project(g0, lat), q1 = project(g1, lat);
    layers.graticule.appendChild(svg("line", { x1: q0[0], y1: q0[1], x2: q1[0], y2: q1[1], class: "kg-grat", "vector-effect": "non-scaling-stroke" }));
    var u = svg("text", { x: q0[0] + 4, y: q0[1] - 4, class: "kg-grat-label" });
    u.textContent = lat + "°N";
    layers.graticule.appendChild(u); gratLabels.push(u);
  }

  /* ---- features ---- */
  var scaled = [];  /* [element, attribute, base size in screen pixels] */
  var placeLabels = [];  /* placed by placeAllLabels() after every zoom: no two labels overlap */
  var items = [];   /* every hoverable feature, for search */
  function hook(node, item, kind) {
    node.classList.add("kg-hit");
    node.addEventListener("mouseenter", function () { showTip(item, kind, node); });
    node.addEventListener("mouseleave", hideTip);
    node.addEventListener("click", function (ev) { ev.stopPropagation(); select(item, kind); showTip(item, kind, node); });
  }
  D.places.forEach(function (p, i) {
    var xy = project(p.lon, p.lat);
    var c = svg("circle", { cx: xy[0], cy: xy[1], r: 4, fill: p.color, stroke: "#fff", "stroke-width": 1,
                            "vector-effect": "non-scaling-stroke", "data-kind": "place", "data-i": i });
    scaled.push([c, "r", p.linked ? 4.5 : 3]);
    hook(c, p, "place");
    layers.places.appendChild(c);
    items.push({ item: p, kind: "place", node: c });
    var label = svg("text", { x: xy[0], y: xy[1], class: "kg-map-label", "data-label": i });
    label.textContent = p.label;
    layers.labels.appendChild(label);
    placeLabels.push({ node: label, x: xy[0], y: xy[1], rank: p.linked ? 0 : 1, size: p.linked ? 11 : 10 });
  });
  var pairCount = {};
  D.links.forEach(function (lk, i) {
    var A = D.places[lk.from], B = D.places[lk.to];
    var a1 = project(A.lon, A.lat), b1 = project(B.lon, B.lat);
    var key = [lk.from, lk.to].sort().join("-");
    var n = pairCount[key] = (pairCount[key] || 0) + 1;
    var dx = b1[0] - a1[0], dy = b1[1] - a1[1], len = Math.sqrt(dx * dx + dy * dy) || 1;
    var bend = (0.12 + 0.08 * (n - 1)) * (n % 2 ? 1 : -1) * (lk.kind === "taskforce" ? -1 : 1);
    var cx = (a1[0] + b1[0]) / 2 - dy * bend, cy = (a1[1] + b1[1]) / 2 + dx * bend;
    var d = "M" + a1[0] + "," + a1[1] + " Q" + cx + "," + cy + " " + b1[0] + "," + b1[1];
    if (len < 1) { d = "M" + a1[0] + "," + a1[1] + " a12,12 0 1,1 0.1,0"; }
    var colour = lk.kind === "chamber" ? "#8e24aa" : "#d81b60";
    var path = svg("path", { d: d, fill: "none", stroke: colour, "stroke-width": 2, "vector-effect": "non-scaling-stroke",
                             "stroke-dasharray": lk.kind === "taskforce" ? "6 3" : "", "marker-end": "url(#kg-arrow-" + lk.kind + ")",
                             "data-kind": lk.kind, "data-i": i, "stroke-opacity": 0.85 });
    var hit = svg("path", { d: d, fill: "none", stroke: "transparent", "stroke-width": 9, "vector-effect": "non-scaling-stroke", "data-hit": lk.kind, "data-i": i });
    hook(hit, lk, lk.kind);
    layers[lk.kind].appendChild(path);
    layers[lk.kind].appendChild(hit);
    items.push({ item: lk, kind: lk.kind, node: path, hit: hit });
  });
  D.projects.forEach(function (p, i) {
    var xy = project(p.lon, p.lat);
    var c = svg("circle", { cx: xy[0], cy: xy[1], r: p.r, fill: p.known ? "rgba(239,108,0,0.55)" : "#fff", stroke: "#ef6c00",
                            "stroke-width": 1.5, "vector-effect": "non-scaling-stroke", "data-kind": "project", "data-i": i });
    scaled.push([c, "r", p.r]);
    hook(c, p, "project");
    layers.projects.appendChild(c);
    items.push({ item: p, kind: "project", node: c });
  });

  /* ---- zoom and pan: the view box moves, markers keep their size on screen ---- */
  function apply() {
    root.setAttribute("viewBox", [vb.x, vb.y, vb.w, vb.h].join(" "));
    var rect = root.getBoundingClientRect();
    var k = Math.min(rect.width / vb.w, rect.height / vb.h) || 1;
    scaled.forEach(function (s) {
      s[0].setAttribute(s[1], String(s[2] / k));
      if (s[0].dataset.dx) {
        var x0 = s[0].dataset.x0 || s[0].getAttribute("x"), y0 = s[0].dataset.y0 || s[0].getAttribute("y");
        s[0].dataset.x0 = x0; s[0].dataset.y0 = y0;
        s[0].setAttribute("x", String(Number(x0) + Number(s[0].dataset.dx) / k));
        s[0].setAttribute("y", String(Number(y0) + Number(s[0].dataset.dy) / k));
        s[0].style.strokeWidth = String(3 / k);
      }
    });
    gratLabels.forEach(function (t) { t.setAttribute("font-size", String(10 / k)); });
    outlineNodes.forEach(function (o) { o[0].style.display = o[1] === 0 || k * (o[1] === 1 ? 1 : 0.4) > 2.5 ? "" : "none"; });
    placeAllLabels(k);
    defs.querySelectorAll("marker").forEach(function (m) {
      m.setAttribute("markerWidth", String(9 / k)); m.setAttribute("markerHeight", String(9 / k));
    });
  }
  /* Greedy label placement: linked places first, then the rest; each label takes the first of four spots
     around its point that overlaps no label already placed, or is hidden. Boxes are measured (getBBox). */
  var CANDIDATES = [[6, -5, "start"], [6, 13, "start"], [-6, -5, "end"], [-6, 13, "end"]];
  function placeAllLabels(k) {
    var placed = [];
    var order = placeLabels.slice().sort(function (a, b) { return a.rank - b.rank; });
    order.forEach(function (l) {
      l.node.setAttribute("font-size", String(l.size / k));
      l.node.style.strokeWidth = String(3 / k);
      l.node.style.display = "";
      var ok = false;
      for (var c = 0; c < CANDIDATES.length && !ok; c += 1) {
        l.node.setAttribute("x", String(l.x + CANDIDATES[c][0] / k));
        l.node.setAttribute("y", String(l.y + CANDIDATES[c][1] / k));
        l.node.setAttribute("text-anchor", CANDIDATES[c][2]);
        var b = l.node.getBBox();
        var box = { x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height };
        ok = placed.every(function (o) { return box.x1 <= o.x0 || o.x1 <= box.x0 || box.y1 <= o.y0 || o.y1 <= box.y0; });
        if (ok) { placed.push(box); }
      }
      if (!ok) { l.node.style.display = "none"; }
    });
  }
  function toSvg(clientX, clientY) {
    var pt = root.createSVGPoint();
    pt.x = clientX; pt.y = clientY;
    return pt.matrixTransform(root.getScreenCTM().inverse());
  }
  root.addEventListener("wheel", function (e) {
    e.preventDefault();
    var f = e.deltaY < 0 ? 1 / 1.2 : 1.2;
    var p = toSvg(e.clientX, e.clientY);
    vb = { x: p.x - (p.x - vb.x) * f, y: p.y - (p.y - vb.y) * f, w: vb.w * f, h: vb.h * f };
    hideTip(); apply();
  }, { passive: false });
  var drag = null;
  root.addEventListener("mousedown", function (e) { drag = { p: toSvg(e.clientX, e.clientY) }; });
  window.addEventListener("mousemove", function (e) {
    if (!drag) { return; }
    var p = toSvg(e.clientX, e.clientY);
    vb.x -= p.x - drag.p.x; vb.y -= p.y - drag.p.y;
    apply();
  });
  window.addEventListener("mouseup", function () { drag = null; });
  root.addEventListener("dblclick", function () { vb = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); });
  root.addEventListener("click", function () { clearSelection(); hideTip(); });
  window.addEventListener("resize", apply);

  /* ---- cards ---- */
  function card(item, kind, full) {
    var box = el("div", "kg-card");
    box.appendChild(el("div", "kg-card-title", item.label));
    box.appendChild(el("div", "kg-card-class", item.cls));
    var dl = el("dl");
    if (kind === "chamber" || kind === "taskforce") {
      dl.appendChild(el("dt", null, "→"));
      dl.appendChild(el("dd", null, D.places[item.from].label + " → " + D.places[item.to].label));
    }
    if (kind === "project") {
      dl.appendChild(el("dt", null, T.places));
      dl.appendChild(el("dd", null, D.places[item.at].label));
      if (!item.known) { dl.appendChild(el("dt", null, "")); dl.appendChild(el("dd", null, T.amount_unknown)); }
    }
    if (kind === "place") {
      dl.appendChild(el("dt", null, "lon, lat"));
      dl.appendChild(el("dd", null, item.lon.toFixed(2) + ", " + item.lat.toFixed(2)));
    }
    item.facts.forEach(function (f) { dl.appendChild(el("dt", null, f[0])); dl.appendChild(el("dd", null, f[1])); });
    box.appendChild(dl);
    if (item.quotes.length) {
      box.appendChild(el("div", "kg-card-h", T.source));
      item.quotes.forEach(function (q) { box.appendChild(el("blockquote", "kg-quote", q)); });
      if (item.more) { box.appendChild(el("div", "kg-note", fmt(T.more, { n: item.more }))); }
    }
    if (full) { box.appendChild(el("code", "kg-iri", item.id)); }
    return box;
  }
  var tip = document.getElementById("kg-tip");
  function showTip(item, kind, node) {
    tip.replaceChildren(card(item, kind, false));
    var r = node.getBoundingClientRect();
    tip.hidden = false;
    var left = r.right + 10, top = r.bottom + 10;
    if (left + tip.offsetWidth > window.innerWidth) { left = Math.max(0, r.left - 10 - tip.offsetWidth); }
    if (top + tip.offsetHeight > window.innerHeight) { top = Math.max(0, window.innerHeight - tip.offsetHeight - 4); }
    tip.style.left = left + "px"; tip.style.top = top + "px";
  }
  function hideTip() { tip.hidden = true; }
  var details = document.getElementById("kg-details");
  var hint = details.firstElementChild;
  function select(item, kind) { details.replaceChildren(card(item, kind, true)); }
  function clearSelection() { details.replaceChildren(hint); }

  /* ---- layers and search ---- */
  var status = document.getElementById("kg-status");
  var counts = { places: D.places.length, chamber: D.links.filter(function (l) { return l.kind === "chamber"; }).length,
                 taskforce: D.links.filter(function (l) { return l.kind === "taskforce"; }).length, projects: D.projects.length };
  var layerList = document.getElementById("kg-layers");
  [["places", T.places, "#43a047", "dot"], ["chamber", T.chambers, "#8e24aa", "line"],
   ["taskforce", T.taskforces, "#d81b60", "line"], ["projects", T.projects, "#ef6c00", "dot"]].forEach(function (row) {
    var li = el("li"), label = el("label"), box = el("input"), sw = el("span", "kg-swatch " + row[3]);
    box.type = "checkbox"; box.checked = true; box.dataset.layer = row[0];
    box.addEventListener("change", function () {
      layers[row[0]].style.display = box.checked ? "" : "none";
      if (row[0] === "places") { layers.labels.style.display = box.checked ? "" : "none"; }
    });
    sw.style.backgroundColor = row[2];
    label.append(box, sw, el("span", null, row[1]), el("span", "kg-count", counts[row[0]]));
    li.appendChild(label); layerList.appendChild(li);
  });
  if (D.outlines.length && shades.length) {
    var legend = el("div", "kg-note");
    legend.appendChild(el("div", null, fmt(T.shade, { m: D.measure })));
    RAMP.forEach(function (c) { var sw = el("span", "kg-swatch"); sw.style.backgroundColor = c; legend.appendChild(sw); });
    legend.appendChild(el("span", null, " " + D.outlines.filter(function (o) { return o.shade !== null; }).map(function (o) { return o.label + " " + o.text; }).slice(0, 6).join("、")));
    var none = el("div", null); var sw0 = el("span", "kg-swatch"); sw0.style.backgroundColor = shadeOf(null);
    none.append(sw0, el("span", null, " " + T.no_amount));
    legend.appendChild(none);
    legend.id = "kg-shade-legend";
    layerList.parentNode.insertBefore(legend, layerList.nextSibling);
  }
  if (D.unplaced.length) {
    var un = document.getElementById("kg-unplaced");
    un.textContent = fmt(T.no_coords, { n: D.unplaced.length }) + " " + D.unplaced.join("、");
    un.hidden = false;
  }
  var search = document.getElementById("kg-search");
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    var n = 0;
    items.forEach(function (it) {
      var hit = !q || it.item.label.toLowerCase().indexOf(q) >= 0;
      if (hit && q) { n += 1; }
      it.node.classList.toggle("kg-dim", !hit);
    });
    status.textContent = q ? fmt(T.matches, { n: n }) : "";
  });

  /* the year slider: links and projects dated after the chosen year are hidden; places always show */
  var datedItems = items.filter(function (it) { return it.item.yr; });
  if (datedItems.length) {
    var y0 = Math.min.apply(null, datedItems.map(function (it) { return it.item.yr[0]; }));
    var y1 = Math.max.apply(null, datedItems.map(function (it) { return it.item.yr[1]; }));
    var slider = document.getElementById("kg-year"), shown = document.getElementById("kg-year-value");
    slider.min = String(y0); slider.max = String(y1 + 1); slider.step = "1"; slider.value = String(y1 + 1);
    shown.textContent = T.all_years;
    document.getElementById("kg-year-box").hidden = false;
    slider.addEventListener("input", function () {
      var v = Number(slider.value), year = v > y1 ? null : v;
      shown.textContent = year === null ? T.all_years : String(year);
      items.forEach(function (it) {
        var off = year !== null && it.item.yr && it.item.yr[0] > year;
        it.node.style.display = off ? "none" : "";
        if (it.hit) { it.hit.style.display = off ? "none" : ""; }
      });
    });
  }
  state.counts = counts;
  apply();
  requestAnimationFrame(function () { state.ready = true; state.readyMs = performance.now(); });
}());
