// The review page: every value from the draft reaches the page through textContent or value, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var state = {};  // fact id -> {decision, label}

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function sentence(text, highlight) {
    var p = el("p", "kg-sentence");
    var at = highlight ? text.indexOf(highlight) : -1;
    if (at < 0) { p.textContent = "「" + text + "」"; return p; }
    p.appendChild(document.createTextNode("「" + text.slice(0, at)));
    p.appendChild(el("mark", "", highlight));
    p.appendChild(document.createTextNode(text.slice(at + highlight.length) + "」"));
    return p;
  }

  function summary() {
    var counts = {accept: 0, reject: 0, edit: 0};
    Object.keys(state).forEach(function (k) { counts[state[k].decision] += 1; });
    document.getElementById("kg-summary").textContent = data.facts.length + " facts, " + data.items.length +
      " open review items — accepted " + counts.accept + ", edited " + counts.edit + ", rejected " + counts.reject;
  }

  function setDecision(box, id, decision) {
    state[id].decision = decision;
    box.setAttribute("data-decision", decision);
    box.querySelector(".kg-edit").hidden = decision !== "edit";
    summary();
  }

  var items = document.getElementById("kg-items");
  if (data.items.length === 0) { items.appendChild(el("li", "kg-item", "none")); }
  data.items.forEach(function (it) {
    var li = el("li", "kg-item");
    li.setAttribute("data-id", it.id);
    li.appendChild(el("div", "", "[" + it.id + "] " + it.where + ": " + it.note));
    if (it.sentence) { li.appendChild(sentence(it.sentence, "")); }
    items.appendChild(li);
  });

  var facts = document.getElementById("kg-facts");
  var current = null;
  data.facts.forEach(function (f) {
    if (f.type !== current) { current = f.type; facts.appendChild(el("h2", "", f.type)); }
    state[f.id] = {decision: "accept", label: f.label};
    var box = el("div", "kg-fact");
    box.setAttribute("data-id", f.id);
    box.setAttribute("data-decision", "accept");
    box.appendChild(el("div", "kg-label", f.label));
    box.appendChild(el("div", "kg-details", f.details.map(function (d) { return d[0] + ": " + d[1]; }).join(" · ")));
    box.appendChild(sentence(f.sentence, f.highlight));
    var meta = el("div", "kg-meta", f.source + " s" + f.sentence_index + (f.rule ? " · rule " + f.rule : ""));
    if (f.confidence !== null) {
      var c = el("span", f.confidence < 0.85 ? "kg-low" : "", " · confidence " + f.confidence.toFixed(2));
      meta.appendChild(c);
    }
    box.appendChild(meta);
    var choice = el("div", "kg-choice");
    ["accept", "reject", "edit"].forEach(function (d) {
      var lab = el("label");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "d-" + f.id;
      radio.value = d;
      radio.checked = d === "accept";
      radio.addEventListener("change", function () { setDecision(box, f.id, d); });
      lab.appendChild(radio);
      lab.appendChild(document.createTextNode(" " + d));
      choice.appendChild(lab);
    });
    box.appendChild(choice);
    var edit = document.createElement("input");
    edit.className = "kg-edit";
    edit.type = "text";
    edit.value = f.label;
    edit.maxLength = 200;
    edit.hidden = true;
    edit.setAttribute("aria-label", "new label");
    edit.addEventListener("input", function () { state[f.id].label = edit.value; });
    box.appendChild(edit);
    facts.appendChild(box);
  });
  summary();

  // Candidate merges: kept apart unless the reviewer accepts one ("Accept all" does not touch them).
  var merges = {};  // draft entity id -> decision
  var mergeList = document.getElementById("kg-merges");
  if (data.merges.length === 0) { mergeList.appendChild(el("li", "kg-item", "none")); }
  data.merges.forEach(function (m) {
    merges[m.id] = "reject";
    var li = el("li", "kg-merge");
    li.setAttribute("data-id", m.id);
    li.appendChild(el("div", "kg-label", m["class"] + ": " + m.names[0] + " → " + m.names[1]));
    li.appendChild(el("div", "kg-details", m.rule + (m.shared.length ? " · shared: " +
      m.shared.map(function (x) { return x[0] + "=" + x[1]; }).join("; ") : "")));
    m.sentences.forEach(function (x) {
      li.appendChild(el("div", "kg-meta", x[0] + " s" + x[1]));
      li.appendChild(sentence(x[2], x === m.sentences[0] ? m.names[0] : m.names[1]));
    });
    var choice = el("div", "kg-choice");
    ["accept", "reject"].forEach(function (d) {
      var lab = el("label");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "m-" + m.id;
      radio.value = d;
      radio.checked = d === "reject";
      radio.addEventListener("change", function () { merges[m.id] = d; li.setAttribute("data-decision", d); });
      lab.appendChild(radio);
      lab.appendChild(document.createTextNode(d === "accept" ? " merge" : " keep apart"));
      choice.appendChild(lab);
    });
    li.appendChild(choice);
    mergeList.appendChild(li);
  });

  document.getElementById("kg-accept-all").addEventListener("click", function () {
    document.querySelectorAll(".kg-fact").forEach(function (box) {
      var id = box.getAttribute("data-id");
      box.querySelector("input[value=accept]").checked = true;
      setDecision(box, id, "accept");
    });
  });

  document.getElementById("kg-save").addEventListener("click", function () {
    var out = {format: data.format, draft: data.draft, draft_sha256: data.sha256, facts: []};
    data.facts.forEach(function (f) {
      var s = state[f.id];
      var item = {id: f.id, decision: s.decision, sentence: f.sentence};
      if (s.decision === "edit") { item.label = s.label; }
      out.facts.push(item);
    });
    out.merges = data.merges.map(function (m) { return {id: m.id, into: m.into, decision: merges[m.id]}; });
    var blob = new Blob([JSON.stringify(out, null, 1)], {type: "application/json"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = data.draft.replace(/\.[^.]*$/, "") + ".decisions.json";
    document.body.appendChild(a);
    a.click();
    a.remove();
    document.getElementById("kg-status").textContent = "saved " + a.download;
  });
  window.kgReview = {ready: true, state: state, merges: merges};
}());
