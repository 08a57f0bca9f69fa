/* zhaoshang-kg graph view. Data come from the JSON block and reach the page only as text (textContent),
   never as markup. Positions are precomputed, physics is off: the layout is drawn once and stays put. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var T = D.text;
  var state = { ready: false, readyMs: null, errors: [], nodeTotal: D.nodes.length, edgeTotal: D.edges.length };
  window.kgView = state;
  window.addEventListener("error", function (e) { state.errors.push(String(e.message)); });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return String(values[k]); });
  }

  var byId = new Map();
  D.nodes.forEach(function (n) { byId.set(n.id, n); });
  var adjacency = new Map();
  D.nodes.forEach(function (n) { adjacency.set(n.id, new Set()); });
  D.edges.forEach(function (e) { adjacency.get(e.from).add(e.to); adjacency.get(e.to).add(e.from); });
  var classOn = D.classes.map(function () { return true; });
  var region = "";
  var visible = new Set(D.nodes.map(function (n) { return n.id; }));
  var highlighted = null;

  function colourOf(n) {
    var c = D.classes[n.c].color;
    return { background: c, border: "#37474f", highlight: { background: c, border: "#000" }, hover: { background: c, border: "#000" } };
  }
  var FADED = { background: "rgba(200,200,200,0.3)", border: "rgba(180,180,180,0.3)" };
  var visNodes = new vis.DataSet(D.nodes.map(function (n) {
    return { id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, shape: D.classes[n.c].shape,
             color: colourOf(n), borderWidth: n.focus ? 4 : 1, hidden: false };
  }));
  var visEdges = new vis.DataSet(D.edges.map(function (e, i) {
    return { id: i, from: e.from, to: e.to, label: D.edgeLabels || e.via ? e.label : undefined, title: e.label,
             dashes: !!e.via };
  }));
  var big = D.nodes.length > 400;
  var container = document.getElementById("kg-canvas");
  var network = new vis.Network(container, { nodes: visNodes, edges: visEdges }, {
    physics: false,
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: { hover: true, hideEdgesOnDrag: big, hideEdgesOnZoom: big, tooltipDelay: 60 },
    nodes: { font: { size: 12, strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: { smooth: false, width: 1, arrows: { to: { enabled: true, scaleFactor: 0.4 } },
             color: { color: "#b0bec5", highlight: "#37474f", hover: "#546e7a" },
             font: { size: 9, color: "#607d8b", strokeWidth: 2, align: "middle" } }
  });
  state.network = network;
  network.once("afterDrawing", function () { state.ready = true; state.readyMs = performance.now(); });

  /* ---- cards: the tooltip and the details panel, built from text nodes only ---- */
  function card(n, full) {
    var box = el("div", "kg-card");
    box.appendChild(el("div", "kg-card-title", n.label));
    box.appendChild(el("div", "kg-card-class", D.classes[n.c].label));
    var dl = el("dl");
    n.facts.forEach(function (f) { dl.appendChild(el("dt", null, f[0])); dl.appendChild(el("dd", null, f[1])); });
    if (n.r.length) {
      dl.appendChild(el("dt", null, T.region));
      dl.appendChild(el("dd", null, n.r.map(function (i) { return D.regions[i]; }).join("、")));
    }
    if (full && n.aliases.length) { dl.appendChild(el("dt", null, T.aliases)); dl.appendChild(el("dd", null, n.aliases.join("、"))); }
    if (dl.childNodes.length) { box.appendChild(dl); }
    if (n.quotes.length) {
      box.appendChild(el("div", "kg-card-h", T.source));
      n.quotes.forEach(function (q) { box.appendChild(el("blockquote", "kg-quote", q)); });
      if (n.more) { box.appendChild(el("div", "kg-note", fmt(T.more, { n: n.more }))); }
    }
    if (full) { box.appendChild(el("code", "kg-iri", n.id)); }
    return box;
  }
  var tip = document.getElementById("kg-tip");
  function showTip(id) {
    var n = byId.get(id);
    if (!n) { return; }
    tip.replaceChildren(card(n, false));
    var p = network.canvasToDOM(network.getPosition(id));
    var r = container.getBoundingClientRect();
    var left = r.left + p.x + 16, top = r.top + p.y + 16;
    tip.hidden = false;
    if (left + tip.offsetWidth > window.innerWidth) { left = Math.max(0, r.left + p.x - 16 - tip.offsetWidth); }
    if (top + tip.offsetHeight > window.innerHeight) { top = Math.max(0, window.innerHeight - tip.offsetHeight - 4); }
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }
  function hideTip() { tip.hidden = true; }
  network.on("hoverNode", function (p) { showTip(p.node); });
  network.on("blurNode", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  /* ---- clicking: details and the neighbourhood ---- */
  var details = document.getElementById("kg-details");
  var hint = details.firstElementChild;
  function highlight(id) {
    highlighted = id;
    var near = id === null ? null : adjacency.get(id);
    visNodes.update(D.nodes.map(function (n) {
      var on = id === null || n.id === id || near.has(n.id);
      return { id: n.id, color: on ? colourOf(n) : FADED, font: { color: on ? "#222222" : "rgba(120,120,120,0.35)" } };
    }));
    visEdges.update(D.edges.map(function (e, i) {
      var on = id === null || e.from === id || e.to === id;
      return { id: i, color: on ? { color: "#b0bec5", highlight: "#37474f" } : { color: "rgba(200,200,200,0.25)" },
               font: { color: on ? "#607d8b" : "rgba(0,0,0,0)" } };
    }));
    state.highlighted = id;
    state.neighbourhood = id === null ? [] : [id].concat(Array.from(near));
  }
  function select(id) {
    var n = byId.get(id);
    if (!n) { return; }
    details.replaceChildren(card(n, true));
    highlight(id);
    network.selectNodes([id]);
  }
  function clearSelection() {
    details.replaceChildren(hint);
    if (highlighted !== null) { highlight(null); }
    network.unselectAll();
  }
  network.on("click", function (p) {
    if (p.nodes.length) { select(p.nodes[0]); showTip(p.nodes[0]); } else { clearSelection(); hideTip(); }
  });
  state.select = select;

  /* ---- filters: class (legend) and region ---- */
  var status = document.getElementById("kg-status");
  function updateStatus() {
    var e = viaIds.length;
    D.edges.forEach(function (x) { if (visible.has(x.from) && visible.has(x.to)) { e += 1; } });
    status.textContent = fmt(T.showing, { n: visible.size, N: D.nodes.length, e: e, E: D.edges.length });
  }
  /* Links through hidden nodes: when a class is unticked, what stays shown stays linked through what it hid
     (up to VIA_DEPTH hidden nodes in a row), by a dashed edge that says through what. The same rule as
     kg.views.model.via_edges, which `kg viz --class` uses. */
  var VIA_DEPTH = 2;
  var viaIds = [];
  function viaLinks(shown, hidden) {
    var direct = new Set();
    D.edges.forEach(function (e) { if (shown.has(e.from) && shown.has(e.to)) { direct.add([e.from, e.to].sort().join(" ")); } });
    var found = new Map();
    Array.from(shown).sort().forEach(function (start) {
      var frontier = Array.from(adjacency.get(start)).filter(function (h) { return hidden.has(h); }).sort()
        .map(function (h) { return [h, [h]]; });
      var seen = new Set([start].concat(frontier.map(function (f) { return f[0]; })));
      for (var d = 0; d < VIA_DEPTH; d += 1) {
        var next = [];
        frontier.forEach(function (f) {
          Array.from(adjacency.get(f[0])).sort().forEach(function (other) {
            if (shown.has(other) && other !== start) {
              var key = [start, other].sort().join(" ");
              if (!direct.has(key) && (!found.has(key) || f[1].length < found.get(key)[2].length)) {
                found.set(key, [start, other, f[1]]);
              }
            } else if (hidden.has(other) && !seen.has(other)) {
              seen.add(other);
              next.push([other, f[1].concat([other])]);
            }
          });
        });
        frontier = next;
      }
    });
    return Array.from(found.values());
  }
  /* The year slider: a node dated after the chosen year is hidden (undated ones, places, always show). */
  var year = null;
  function inYear(n) { return year === null || !n.yr || n.yr[0] <= year; }
  function applyFilters() {
    var changes = [];
    var hiddenByClass = new Set();
    D.nodes.forEach(function (n) {
      var inRegion = (region === "" || n.r.indexOf(Number(region)) >= 0) && inYear(n);
      var on = classOn[n.c] && inRegion;
      if (!classOn[n.c] && inRegion) { hiddenByClass.add(n.id); }
      if (on !== visible.has(n.id)) {
        if (on) { visible.add(n.id); } else { visible.delete(n.id); }
        changes.push({ id: n.id, hidden: !on });
      }
    });
    if (changes.length) { visNodes.update(changes); }
    if (viaIds.length) { visEdges.remove(viaIds); viaIds = []; }
    if (hiddenByClass.size) {
      var sep = D.lang === "zh" ? "、" : ", ";
      viaLinks(visible, hiddenByClass).forEach(function (v, k) {
        var names = v[2].map(function (h) { var n = byId.get(h); return n.label.length <= 16 ? n.label : D.classes[n.c].label; });
        var id = "via-" + k;
        viaIds.push(id);
        visEdges.add({ id: id, from: v[0], to: v[1], dashes: true, label: fmt(T.via, { names: names.join(sep) }),
                       arrows: { to: { enabled: false } }, color: { color: "#78909c" } });
      });
    }
    state.viaCount = viaIds.length;
    updateStatus();
  }
  var legend = document.getElementById("kg-legend");
  /* Legend swatches are drawn with the outlines vis-network draws (same shape names, same colours). */
  var SVGNS = "http://www.w3.org/2000/svg";
  function polygon(k, r0, r1, turn) {
    var pts = [];
    for (var j = 0; j < k; j += 1) {
      var a = turn + Math.PI * 2 * j / k, r = j % 2 ? r1 : r0;
      pts.push((7 + r * Math.cos(a)).toFixed(2) + "," + (7 + r * Math.sin(a)).toFixed(2));
    }
    return pts.join(" ");
  }
  function swatch(shape, colour) {
    var s = document.createElementNS(SVGNS, "svg");
    s.setAttribute("width", "14"); s.setAttribute("height", "14"); s.setAttribute("viewBox", "0 0 14 14");
    s.setAttribute("class", "kg-shape"); s.setAttribute("data-shape", shape);
    var e;
    if (shape === "dot") { e = document.createElementNS(SVGNS, "circle"); e.setAttribute("cx", "7"); e.setAttribute("cy", "7"); e.setAttribute("r", "6"); }
    else if (shape === "square") { e = document.createElementNS(SVGNS, "rect"); e.setAttribute("x", "1.5"); e.setAttribute("y", "1.5"); e.setAttribute("width", "11"); e.setAttribute("height", "11"); }
    else {
      e = document.createElementNS(SVGNS, "polygon");
      var pts = { diamond: polygon(4, 6.5, 6.5, -Math.PI / 2), star: polygon(10, 6.8, 2.8, -Math.PI / 2),
                  triangle: polygon(3, 6.5, 6.5, -Math.PI / 2), triangleDown: polygon(3, 6.5, 6.5, Math.PI / 2),
                  hexagon: polygon(6, 6.5, 6.5, 0) }[shape];
      e.setAttribute("points", pts);
    }
    e.setAttribute("fill", colour); e.setAttribute("stroke", "#37474f"); e.setAttribute("stroke-width", "1");
    s.appendChild(e);
    return s;
  }
  D.classes.forEach(function (c, i) {
    var li = el("li"), label = el("label"), box = el("input"), sw = swatch(c.shape, c.color);
    box.type = "checkbox";
    box.checked = true;
    box.dataset.cls = c.curie;
    box.addEventListener("change", function () { classOn[i] = box.checked; applyFilters(); });
    label.append(box, sw, el("span", null, c.label), el("span", "kg-count", c.count));
    label.title = c.curie;
    li.appendChild(label);
    legend.appendChild(li);
  });
  var dated = D.nodes.filter(function (n) { return n.yr; });
  if (dated.length) {
    var y0 = Math.min.apply(null, dated.map(function (n) { return n.yr[0]; }));
    var y1 = Math.max.apply(null, dated.map(function (n) { return n.yr[1]; }));
    var slider = document.getElementById("kg-year"), shown = document.getElementById("kg-year-value");
    slider.min = String(y0); slider.max = String(y1 + 1); slider.step = "1"; slider.value = String(y1 + 1);
    shown.textContent = T.all_years;
    document.getElementById("kg-year-box").hidden = false;
    slider.addEventListener("input", function () {
      var v = Number(slider.value);
      year = v > y1 ? null : v;
      shown.textContent = year === null ? T.all_years : String(year);
      applyFilters();
    });
  }
  state.setYear = function (y) {
    var slider = document.getElementById("kg-year");
    slider.value = String(y === null ? Number(slider.max) : y);
    slider.dispatchEvent(new Event("input"));
  };
  var regionSelect = document.getElementById("kg-region");
  D.regions.forEach(function (name, i) {
    var o = el("option", null, name);
    o.value = String(i);
    regionSelect.appendChild(o);
  });
  regionSelect.addEventListener("change", function () { region = regionSelect.value; applyFilters(); });

  /* ---- search ---- */
  var search = document.getElementById("kg-search");
  var resultsBox = document.getElementById("kg-results-box");
  var results = document.getElementById("kg-results");
  var matches = [];
  var timer = null;
  function runSearch() {
    var q = search.value.trim().toLowerCase();
    results.replaceChildren();
    if (!q) { matches = []; resultsBox.hidden = true; network.unselectAll(); updateStatus(); return; }
    matches = D.nodes.filter(function (n) {
      return visible.has(n.id) && (n.label.toLowerCase().indexOf(q) >= 0 ||
        n.aliases.some(function (a) { return a.toLowerCase().indexOf(q) >= 0; }));
    });
    matches.slice(0, 50).forEach(function (n) {
      var li = el("li"), b = el("button", null, n.label);
      b.type = "button";
      b.addEventListener("click", function () { focusOn(n.id); });
      li.appendChild(b);
      results.appendChild(li);
    });
    resultsBox.hidden = false;
    network.selectNodes(matches.slice(0, 500).map(function (n) { return n.id; }), false);
    if (matches.length && matches.length <= 50) {
      network.fit({ nodes: matches.map(function (n) { return n.id; }), animation: false });
    }
    status.textContent = fmt(T.matches, { n: matches.length });
  }
  function focusOn(id) {
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    select(id);
    showTip(id);
  }
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(runSearch, 120); });
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { clearTimeout(timer); runSearch(); if (matches.length) { focusOn(matches[0].id); } }
    if (e.key === "Escape") { search.value = ""; runSearch(); }
  });

  /* ---- for tests and benchmarks: what vis-network draws, and where a node is on screen ---- */
  state.counts = function () {
    network.redraw();
    return { nodes: network.body.nodeIndices.length, edges: network.body.edgeIndices.length };
  };
  state.screenPosition = function (id) {
    var p = network.canvasToDOM(network.getPosition(id));
    var r = container.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  };
  state.positions = function () { return network.getPositions(); };
  /* each node's box with its label, in screen pixels, and the shape vis-network drew it with */
  state.boxes = function () {
    var r = container.getBoundingClientRect();
    return D.nodes.filter(function (n) { return visible.has(n.id); }).map(function (n) {
      var b = network.getBoundingBox(n.id);
      var a = network.canvasToDOM({ x: b.left, y: b.top }), z = network.canvasToDOM({ x: b.right, y: b.bottom });
      return { id: n.id, left: r.left + a.x, top: r.top + a.y, right: r.left + z.x, bottom: r.top + z.y };
    });
  };
  state.drawnShapes = function () {
    var out = {};
    D.nodes.forEach(function (n) { out[D.classes[n.c].curie] = network.body.nodes[n.id].options.shape; });
    return out;
  };
  updateStatus();
  if (D.nodes.some(function (n) { return n.focus; })) {
    var f = D.nodes.filter(function (n) { return n.focus; })[0];
    select(f.id);
  }
  network.fit({ animation: false });
}());
