// The review page: every value from the draft reaches the page through textContent or value, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var state = {};  // fact id -> {decision, label}; decision null: a conflicting fact not decided yet
  var conflictOf = {};  // fact id -> its conflict (a fact of the draft whose figure disagrees with the graph's)
  (data.conflicts || []).forEach(function (c) { conflictOf[c.fact] = c; });

  function openConflicts() {
    return (data.conflicts || []).filter(function (c) { return state[c.fact] && !state[c.fact].decision; });
  }

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
    Object.keys(state).forEach(function (k) { if (state[k].decision) { counts[state[k].decision] += 1; } });
    var open = openConflicts().length;
    document.getElementById("kg-summary").textContent = data.facts.length + " facts, " + data.items.length +
      " open review items" + ((data.conflicts || []).length ? ", " + open + " of " + data.conflicts.length +
      " conflicts to decide" : "") + " — accepted " + counts.accept + ", edited " + counts.edit + ", rejected " +
      counts.reject;
  }

  function setDecision(box, id, decision) {
    state[id].decision = decision;
    box.setAttribute("data-decision", decision);
    box.querySelector(".kg-edit").hidden = decision !== "edit";
    var c = conflictOf[id];
    if (c) {
      var li = document.querySelector('.kg-item[data-conflict="' + c.id + '"]');
      if (li) { li.setAttribute("data-decided", decision); }
    }
    summary();
  }

  var proposals = {};  // metric id or review item id -> a new indicator term {zh, en, cue, unit}

  function indicatorForm(target, unit) {
    var box = el("details", "kg-indicator");
    box.setAttribute("data-for", target);
    box.appendChild(el("summary", "", "propose a new indicator term"));
    var term = {zh: "", en: "", cue: "", unit: unit || ""};
    [["zh", "zh label (what is counted, e.g. 培训人次)", 16], ["en", "en label", 60],
     ["cue", "cue: words of the sentence that name it", 12], ["unit", "unit", 4]].forEach(function (spec) {
      var lab = el("label", "kg-field", spec[1] + " ");
      var input = document.createElement("input");
      input.type = "text";
      input.name = spec[0];
      input.maxLength = spec[2];
      input.value = term[spec[0]];
      input.addEventListener("input", function () {
        term[spec[0]] = input.value;
        if (term.zh || term.en || term.cue) { proposals[target] = term; } else { delete proposals[target]; }
      });
      lab.appendChild(input);
      box.appendChild(lab);
    });
    return box;
  }

  function conflictPanel(c) {
    var box = el("div", "kg-conflict");
    box.appendChild(el("div", "kg-conflict-head", "[" + c.id + "] conflict with the graph: " + c.subject +
      " — decide this fact (accept keeps both values apart, never summed)"));
    var list = el("ul", "kg-figures");
    c.figures.forEach(function (f) {
      var li = el("li", f.in_draft ? "kg-figure kg-mine" : "kg-figure");
      li.appendChild(el("span", "kg-value", f.value));
      li.appendChild(el("span", "kg-source", (f.in_draft ? " this draft: " : " in the graph: ") +
        f.sources.join(", ")));
      f.sentences.forEach(function (t) { li.appendChild(sentence(t, "")); });
      list.appendChild(li);
    });
    box.appendChild(list);
    return box;
  }

  var items = document.getElementById("kg-items");
  if (data.items.length === 0 && !(data.conflicts || []).length) { items.appendChild(el("li", "kg-item", "none")); }
  (data.conflicts || []).forEach(function (c) {
    var li = el("li", "kg-item kg-conflict-item");
    li.setAttribute("data-conflict", c.id);
    li.setAttribute("data-decided", "");
    li.appendChild(el("div", "", "[" + c.id + "] conflict: " + c.note));
    items.appendChild(li);
  });
  data.items.forEach(function (it) {
    var li = el("li", "kg-item");
    li.setAttribute("data-id", it.id);
    li.appendChild(el("div", "", "[" + it.id + "] " + it.where + ": " + it.note));
    if (it.sentence) { li.appendChild(sentence(it.sentence, "")); }
    if (it.figure_unit) { li.appendChild(indicatorForm(it.id, it.figure_unit)); }
    items.appendChild(li);
  });

  var facts = document.getElementById("kg-facts");
  var current = null;
  data.facts.forEach(function (f) {
    if (f.type !== current) { current = f.type; facts.appendChild(el("h2", "", f.type)); }
    var conflict = conflictOf[f.id];
    var initial = conflict ? null : "accept";  // a conflicting fact is open until the reviewer decides it
    state[f.id] = {decision: initial, label: f.label};
    var box = el("div", conflict ? "kg-fact kg-has-conflict" : "kg-fact");
    box.setAttribute("data-id", f.id);
    box.setAttribute("data-decision", initial || "open");
    box.appendChild(el("div", "kg-label", f.label));
    box.appendChild(el("div", "kg-details", f.details.map(function (d) { return d[0] + ": " + d[1]; }).join(" · ")));
    box.appendChild(sentence(f.sentence, f.highlight));
    var meta = el("div", "kg-meta", f.source + " s" + f.sentence_index + (f.rule ? " · rule " + f.rule : ""));
    if (f.confidence !== null) {
      var c = el("span", f.confidence < 0.85 ? "kg-low" : "", " · confidence " + f.confidence.toFixed(2));
      meta.appendChild(c);
    }
    box.appendChild(meta);
    if (conflict) { box.appendChild(conflictPanel(conflict)); }
    if (f.figure_unit) { box.appendChild(indicatorForm(f.id, f.figure_unit)); }
    var choice = el("div", "kg-choice");
    ["accept", "reject", "edit"].forEach(function (d) {
      var lab = el("label");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "d-" + f.id;
      radio.value = d;
      radio.checked = d === initial;
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
      if (conflictOf[id]) { return; }  // a conflict is decided one by one
      box.querySelector("input[value=accept]").checked = true;
      setDecision(box, id, "accept");
    });
  });

  document.getElementById("kg-save").addEventListener("click", function () {
    var open = openConflicts();
    if (open.length) {
      document.getElementById("kg-status").textContent = "decide the conflicting facts first: " +
        open.map(function (c) { return c.id; }).join(", ");
      return;
    }
    var out = {format: data.format, draft: data.draft, draft_sha256: data.sha256, facts: []};
    data.facts.forEach(function (f) {
      var s = state[f.id];
      var item = {id: f.id, decision: s.decision, sentence: f.sentence};
      if (s.decision === "edit") { item.label = s.label; }
      out.facts.push(item);
    });
    out.merges = data.merges.map(function (m) { return {id: m.id, into: m.into, decision: merges[m.id]}; });
    out.indicators = Object.keys(proposals).sort().map(function (k) {
      var t = proposals[k];
      return {"for": k, zh: t.zh.trim(), en: t.en.trim(), cue: t.cue.trim(), unit: t.unit.trim()};
    });
    var blob = new Blob([JSON.stringify(out, null, 1)], {type: "application/json"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = data.draft.replace(/\.[^.]*$/, "") + ".decisions.json";
    document.body.appendChild(a);
    a.click();
    a.remove();
    document.getElementById("kg-status").textContent = "saved " + a.download;
  });
  window.kgReview = {ready: true, state: state, merges: merges, proposals: proposals};
}());
