"""Answer a question the catalogue does not cover: choose a shape from what was understood, run the composed
query (:mod:`kg.asking.compose`) and turn its rows into an answer, or say plainly that the graph does not
hold it.

Which shape, in this order (the first that fits; none fits → the catalogue answers, :mod:`kg.asking.answer`):

1. **compare** — a comparison cue (比较, 不同, 谁多, compare) and two places or more: the same question for each.
2. **fact** — a relation (who facilitated, the reward cap, the investor …) and an entity that is not only a
   place, or a relation that only entities have (奖励, 牵线, 主办 …) asked of a place.
3. **figures** — how many / how much (多少个, 总投资, 签约资金) of a place or a time: the counted figures and
   money totals whose words fit the question best. A measure the question names (签约资金 vs 项目总投资) must
   be the one the figure reports, or the answer says the graph does not hold it.
4. **list** — things of a kind (活动, 项目, 文件 …) in a time span (2023年, 去年, 春节期间) or beyond an amount
   (超过100亿).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from kg.asking.compose import Composed, fact_query, figures_query, list_query
from kg.asking.understand import Understanding, lexicon
from kg.names.index import Entity, EntityIndex
from kg.query.catalogue import Table

#: How a plan runs a composed query: (sparql, bindings) -> table.
Run = Callable[[str, dict[str, ox.NamedNode | ox.Literal]], Table]

#: Relations that only entities have: asked of a place, they mean "of the things of that place".
_ENTITY_RELATIONS = {"facilitator", "reward_cap", "investor", "organizer", "issuer", "member", "author", "appointer"}
#: Most figures one answer shows (the best fitting; the rest fit worse).
MAX_FIGURES = 5
#: Lowest fit of a figure to the question (the share of the question's words it covers) for it to count as the
#: answer: on the dev questions right answers cover half or more, wrong ones a quarter or a third.
MIN_FIT = 0.45


@dataclass
class Planned:
    """The outcome of a composed answer: rows (as a table), sources, the queries run, and a status with
    a message (``answered`` or ``not_in_graph``)."""

    shape: str
    status: str
    table: Table | None = None
    sources: list[str] = field(default_factory=list)
    queries: list[Composed] = field(default_factory=list)
    message: str = ""
    anchors: list[Entity] = field(default_factory=list)


def choose(u: Understanding, index: EntityIndex) -> str | None:
    """The shape that fits *u*, or None when the catalogue should answer."""
    readings = u.readings(index)
    places = [r for r in readings if all(e.is_place for e in r)]
    others = [r for r in readings if not all(e.is_place for e in r)]
    if u.relation == "unheld":
        return "unheld"
    if u.comparison and len(places) >= 2:
        return "compare"
    if (u.relation and (others or (places and u.relation in _ENTITY_RELATIONS))
            and (u.relation != "investment" or any(not _is_concept(r) for r in others))):
        return "fact"
    wants_figure = u.aggregation in ("count", "amount") or u.measure is not None or u.relation == "investment"
    if wants_figure and (places or u.time) and not (u.kind and u.threshold):
        return "figures"
    if u.kind and (u.time or u.threshold or (u.aggregation in ("max", "min") and _money_words(u))):
        return "list"
    return None


def _money_words(u: Understanding) -> bool:
    """The question is about money (投资最多, the largest investment), so a superlative ranks amounts."""
    from kg.asking.understand import has_cue

    return u.relation == "investment" or u.measure is not None or has_cue(u.norm, ["投资", "资金", "invest", "amount",
                                                                                    "money", "worth"]) is not None


def _is_concept(reading: list[Entity]) -> bool:
    return all(e.is_concept for e in reading)


def run_plan(shape: str, u: Understanding, index: EntityIndex, run: Run) -> Planned:
    """Answer *u* in *shape* (from :func:`choose`)."""
    readings = u.readings(index)
    # The first anchor finds the subjects, the others are checked on each (kg.asking.compose): named things
    # first (few statements, and the subject may be the thing itself), then places, then categories and roles
    # (招商大使: many things point to them, but checking one subject against them is cheap).
    anchors = sorted((_pick(r) for r in readings), key=lambda e: 2 if e.is_concept else 1 if e.is_place else 0)
    span = (u.time.start, u.time.end) if u.time else None
    if shape == "unheld":
        return Planned("unheld", "not_in_graph", message=(
            "Not in the graph: it records no such attribute (ages, revenues, populations, office holders, contact "
            "details …); it holds what the sources say about investment attraction."))
    if shape == "compare":
        return _compare(u, index, run, [a for a in anchors if a.is_place], span)
    if shape == "fact":
        return _fact(u, run, anchors, span)
    if shape == "figures":
        return _figures(u, run, [a for a in anchors if a.is_place], span)
    return _list(u, run, anchors, span)


def _pick(reading: list[Entity]) -> Entity:
    """One reading of a name: a place when there is one (长沙 the city), else the first."""
    return next((e for e in reading if e.is_place), reading[0])


def _lit(text: str) -> ox.Literal:
    return ox.Literal(text)


def _fact(u: Understanding, run: Run, anchors: list[Entity], span: tuple[str, str] | None) -> Planned:
    rel = lexicon()["relations"][u.relation or ""]
    # entities of one class named together (招商大使和招商顾问) are asked about one by one, not as one subject
    # linked to both; places and the rest narrow every one of them
    others = [a for a in anchors if not a.is_place]
    classes = [tuple(sorted(a.classes)) for a in others]
    alike = [a for a, c in zip(others, classes, strict=True) if classes.count(c) > 1]
    rest = [a for a in anchors if a not in alike]
    groups = [[a, *rest] for a in alike] if alike else [anchors]
    queries: list[Composed] = []
    rows: list[dict[str, Any]] = []
    direct: set[str] = set()
    for group in groups:
        got: list[dict[str, Any]] = []
        # the entity itself answers before what is linked to it (the project's own investor, not its group's)
        if not group[0].is_place:
            composed = fact_query(rel["properties"], group, span, itself=True)
            queries.append(composed)
            got = run(composed.sparql, composed.bindings).rows
        # what is linked to the entity answers only for relations of other things (who facilitated, organised …)
        # or a kind the entity is not (特步's project): 张锦州是哪里人 is not where his project is
        if not got and (u.relation in _ENTITY_RELATIONS or group[0].is_place or group[0].is_concept
                        or (u.kind and not set(lexicon()["kinds"][u.kind]["classes"]) & set(group[0].classes))):
            composed = fact_query(rel["properties"], group, span)
            queries.append(composed)
            got = run(composed.sparql, composed.bindings).rows
        rows += got
        direct |= {a.iri for a in group}
    # a value named in the question is not its answer (who facilitated X: not X)
    rows = [r for r in rows if _iri(r.get("value")) not in direct or _iri(r.get("subject")) not in direct]
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (_text(r.get("subject")), _text(r.get("value")))
        m = merged.setdefault(key, {"subject": r.get("subject"), "subjectLabel": r.get("subjectLabel"),
                                    "relation": _lit(rel["label_zh"]), "value": r.get("value"),
                                    "answer": r.get("valueLabel") or _plain(r.get("value")),
                                    "amount": r.get("amount"), "qualifier": r.get("qualifierLabel"),
                                    "_vq": [], "_sq": []})
        m["_vq"] += [_text(r.get("valueQuote"))] if r.get("valueQuote") is not None else []
        m["_sq"] += [_text(r.get("subjectQuote"))] if r.get("subjectQuote") is not None else []
    out_rows = []
    for m in merged.values():
        quotes = sorted(set(m.pop("_vq"))) or sorted(set(m.pop("_sq", [])))
        m.pop("_sq", None)
        m["quote"] = _lit("\n".join(quotes)) if quotes else None
        out_rows.append(m)
    out_rows.sort(key=lambda r: (_text(r["subjectLabel"]), _text(r["answer"])))
    variables = ["subject", "subjectLabel", "relation", "answer", "amount", "qualifier", "quote"]
    planned = Planned("fact", "answered", Table(variables, out_rows), queries=queries, anchors=anchors)
    planned.sources = sorted({q for r in out_rows if r["quote"] is not None for q in _text(r["quote"]).split("\n")})
    if not out_rows:
        names = "、".join(a.label for a in anchors)
        planned.status = "not_in_graph"
        planned.message = (f"Not in the graph: it holds no {rel['label_en']} ({rel['label_zh']}) for {names}"
                           f"{_span_text(u)}.")
    return planned


def _figures(u: Understanding, run: Run, places: list[Entity], span: tuple[str, str] | None,
             ) -> Planned:
    composed = figures_query(places, span)
    table = run(composed.sparql, composed.bindings)
    facts: dict[str, dict[str, Any]] = {}
    for r in table.rows:
        key = _text(r.get("fact"))
        f = facts.setdefault(key, {**{v: r.get(v) for v in table.variables
                                      if v != "quote" and v not in composed.bindings}, "_q": set()})
        if r.get("quote") is not None:
            f["_q"].add(_text(r.get("quote")))
    planned = Planned("figures", "answered", queries=[composed], anchors=places)
    where = "、".join(p.label for p in places) or "the graph"
    candidates = list(facts.values())
    if u.measure:
        surface = lexicon()["measures"][u.measure]["surface"]
        with_money = [f for f in candidates if f.get("amountForm") is not None]
        candidates = [f for f in with_money if surface in _text(f.get("amountForm"))]
        if not candidates and with_money:
            held = "、".join(sorted({_measure_of(_text(f.get("amountForm"))) for f in with_money}))
            planned.status = "not_in_graph"
            planned.message = (f"Not in the graph: no {surface} figure for {where}{_span_text(u)}; "
                               f"the figures it holds there are {held}.")
            planned.table = Table(_FIGURE_COLUMNS, [_figure_row(f) for f in with_money[:MAX_FIGURES]])
            planned.sources = []
            return planned
    words = _question_words(u, places)
    scored = sorted(((_fit(words, f, u), i, f) for i, f in enumerate(candidates)), key=lambda x: (-x[0], x[1]))
    if not scored or scored[0][0] < MIN_FIT:
        planned.status = "not_in_graph"
        planned.message = f"Not in the graph: no figure for {where}{_span_text(u)} answers this."
        return planned
    best = scored[0][0]
    chosen = [f for s, _, f in scored if s >= 0.8 * best][:MAX_FIGURES]
    planned.table = Table(_FIGURE_COLUMNS, [_figure_row(f) for f in chosen])
    planned.sources = sorted({q for f in chosen for q in f["_q"]})
    if len([f for f in chosen if f.get("amount") is not None]) > 1:
        planned.message = "Totals reported separately may count the same projects; they are not added up."
    return planned


_FIGURE_COLUMNS = ["fact", "factLabel", "value", "unit", "qualifierLabel", "amountLabel", "amount", "periodLabel",
                   "quote"]


def _figure_row(f: dict[str, Any]) -> dict[str, Any]:
    row = {v: f.get(v) for v in _FIGURE_COLUMNS if v != "quote"}
    quotes = sorted(f.get("_q", ()))
    row["quote"] = _lit("\n".join(quotes)) if quotes else None
    return row


def _measure_of(form: str) -> str:
    for entry in lexicon()["measures"].values():
        if entry["surface"] in form:
            return str(entry["zh"][0])
    return re.sub(r"[\d.]+.*$", "", form) or form


def _without_places(u: Understanding) -> str:
    text = u.norm
    for m in u.mentions:
        if m.surface.isascii():
            text = text.replace(m.surface, " ")
    return text


def _question_words(u: Understanding, places: list[Entity]) -> set[str]:
    """The character pairs of the question a figure's words should share: names of places, the time, question
    words and the cues of counting and comparing removed; other names (招商大使, 石化) kept, as figures are named
    by them."""
    del places  # every place named is removed, not only those the figures are about (a comparison names two)
    text = u.norm
    for name in sorted(u.place_names, key=len, reverse=True):
        text = text.replace(name, " ")
    if u.time:
        text = text.replace(u.time.label, " ")
    lex = lexicon()
    cues = [*lex["question_words"], *lex["domain_words"], *lex["comparison"], *lex["relative_years"], "多", "少"]
    for entry in lex["aggregations"].values():
        cues += entry.get("zh", [])
    for entry in lex["seasons"].values():
        cues += entry["cues"]
    for w in sorted(cues, key=len, reverse=True):
        if not w.isascii():
            text = text.replace(w, " ")
    return {g for g in _bigrams(text) if not g.isascii()}


def _runs(words: set[str]) -> list[set[str]]:
    """The character pairs grouped by the words they chain into (专班 and 班长 chain, 驻外 and 专班 do not)."""
    runs: list[set[str]] = []
    for g in sorted(words):
        for run in runs:
            if any(g[0] == h[1] or g[1] == h[0] for h in run):
                run.add(g)
                break
        else:
            runs.append({g})
    return runs


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[\s\d.,，。?？!！:：;；、()()《》“”\"']+", " ", text.casefold())
    grams = {text[i: i + 2] for i in range(len(text) - 1)}
    return {g for g in grams if " " not in g}


def _stems(text: str) -> set[str]:
    """English words of four letters or more, cut to five (docking/docks, designate/designated)."""
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.casefold())} - _EN_STOP


_EN_STOP = {"which", "what", "there", "many", "much", "does", "have", "were", "with", "from", "that", "this", "their",
            "they", "into", "held", "hold", "over", "durin", "attra", "about", "total", "make", "made", "take", "took",
            "give", "gave", "host", "hoste", "carri", "carry", "bring", "broug", "last", "year", "since", "how"}

#: Counters of a Chinese count (多少人, 几家): a figure counting something else (个, 场) does not answer it.
_COUNTER = re.compile(r"(?:多少|几)\s*([人家个场次名支项座条届批位])")
_FIGURE_COUNTER = re.compile(r"\d+(?:\.\d+)?\s*(?:多|余)?\s*([人家个场次名支项座条届批位])")
_SAME_COUNTER = {"名": "人", "位": "人"}


def _counters_fit(u: Understanding, f: dict[str, Any]) -> bool:
    """False when the question counts one thing (多少人) and the figure another (4个专班)."""
    asked = _COUNTER.search(u.norm)
    if not asked:
        return True
    said = {m.group(1) for m in _FIGURE_COUNTER.finditer(_text(f.get("factLabel")))}
    said |= {c for c in _text(f.get("unit")) if c in "人家个场次名支项座条届批位"}
    if not said:
        return True
    if asked.group(1) == "个":  # the general counter: 多少个 may count anything
        return True
    want = _SAME_COUNTER.get(asked.group(1), asked.group(1))
    return want in {_SAME_COUNTER.get(c, c) for c in said}


def _fit(words: set[str], f: dict[str, Any], u: Understanding) -> float:
    """How much of the question the figure's words cover: the Chinese character pairs of the question (names of
    the places and question words removed) found in its label, surface form and indicator; for an English
    question, its words found in the English label, a word naming the kind asked for (events) also counting
    when the Chinese label names that kind (活动)."""
    if not _counters_fit(u, f):
        return 0.0
    text = " ".join(_text(f.get(k)) for k in ("factLabel", "indicatorLabel", "amountForm", "unit"))
    grams = _bigrams(text)
    zh = len(words & grams) / len(words) if words and grams else 0.0
    runs = _runs(words)
    if runs and grams:
        # or by the words of the question: a word is there when one of its pairs is (驻外专班: 专班)
        zh = max(zh, sum(1 for run in runs if run & grams) / len(runs))
    en_q = _stems(_without_places(u))
    en = 0.0
    if en_q:
        en_f = _stems(" ".join(_text(f.get(k)) for k in ("factEn", "indicatorEn")))
        covered = en_q & en_f
        if u.kind:
            kind = lexicon()["kinds"][u.kind]
            if any(cue in text for cue in kind["zh"]):
                covered |= en_q & {w for cue in kind["en"] for w in _stems(cue)}
        en = len(covered) / len(en_q)
    score = max(zh, en)
    if not score:
        return 0.0
    if u.aggregation == "count" and f.get("value") is None:
        score *= 0.5
    if (u.relation == "investment" or u.aggregation == "amount" or u.measure) and f.get("amount") is not None:
        score += 0.1
    return score


def _list(u: Understanding, run: Run, anchors: list[Entity], span: tuple[str, str] | None) -> Planned:
    kind = lexicon()["kinds"][u.kind or "project"]
    threshold = (u.threshold.op, u.threshold.value) if u.threshold else None
    composed = list_query(kind["classes"], anchors, span, threshold)
    table = run(composed.sparql, composed.bindings)
    items: dict[str, dict[str, Any]] = {}
    for r in table.rows:
        key = _text(r.get("subject"))
        item = items.setdefault(key, {**{v: r.get(v) for v in table.variables
                                         if v != "subjectQuote" and v not in composed.bindings}, "_q": set()})
        if r.get("subjectQuote") is not None:
            item["_q"].add(_text(r.get("subjectQuote")))
    rows = []
    for item in items.values():
        quotes = sorted(item.pop("_q"))
        item["quote"] = _lit("\n".join(quotes)) if quotes else None
        rows.append(item)
    rows.sort(key=lambda r: (_text(r.get("date")) or _text(r.get("periodLabel")) or "~", _text(r.get("subjectLabel"))))
    if u.aggregation in ("max", "min") and not u.threshold:
        # the largest (smallest) amount: only things with an amount count, and every one that shares it
        priced = [r for r in rows if r.get("amount") is not None]
        pick = max if u.aggregation == "max" else min
        if priced:
            top = pick(Decimal(_text(r["amount"])) for r in priced)
            rows = [r for r in priced if Decimal(_text(r["amount"])) == top]
        else:
            rows = []
    variables = [v for v in table.variables if v != "subjectQuote" and v not in composed.bindings] + ["quote"]
    planned = Planned("list", "answered", Table(variables, rows), queries=[composed], anchors=anchors)
    planned.sources = sorted({q for r in rows if r.get("quote") is not None for q in str(r["quote"].value).split("\n")})
    if not rows:
        planned.status = "not_in_graph"
        bits = [f"in {'、'.join(a.label for a in anchors)}" if anchors else "", _span_text(u).strip(),
                f"{u.threshold.text}" if u.threshold else ""]
        planned.message = f"Not in the graph: no {u.kind or 'item'} {' '.join(b for b in bits if b)}."
    return planned


#: Comparison cues that ask which is more: a comparison of figures, not of lists.
_MORE = ("谁多", "哪个多", "谁的", "谁更", "谁大", "谁高", "which has more", "who has more", "more than")


def _compare(u: Understanding, index: EntityIndex, run: Run, places: list[Entity],
             span: tuple[str, str] | None) -> Planned:
    from kg.asking.understand import has_cue

    figures = (u.aggregation in ("count", "amount") or u.measure is not None or u.relation == "investment"
               or has_cue(u.norm, list(_MORE)) is not None)
    parts: list[tuple[Entity, Planned]] = []
    for place in places:
        if figures:
            p = _figures(u, run, [place], span)
        else:
            kind = u.kind or "practice"
            sub = Understanding(text=u.text, norm=u.norm, kind=kind, time=u.time)
            p = _list(sub, run, [place], span)
        parts.append((place, p))
    shown = next((p.table.variables for _, p in parts if p.table is not None), _FIGURE_COLUMNS)
    variables = ["side", *shown]
    rows: list[dict[str, Any]] = []
    lines = []
    for place, p in parts:
        got = p.table.rows if p.table is not None and p.status == "answered" else []
        for r in got:
            rows.append({"side": _lit(place.label), **r})
        if p.status != "answered":
            lines.append(f"{place.label}: {p.message}")
        elif figures:
            lines.append(f"{place.label}: " + "; ".join(_figure_text(r) for r in got))
        else:
            lines.append(f"{place.label}: {len(got)} {u.kind or 'practice'} rows")
    planned = Planned("compare", "answered", Table(variables, rows), anchors=places,
                      queries=[q for _, p in parts for q in p.queries])
    planned.sources = sorted({s for _, p in parts if p.status == "answered" for s in p.sources})
    if figures and all(p.status == "answered" for _, p in parts):
        lines.append(_which_more(parts))
    planned.message = "\n".join(line for line in lines if line)
    if not rows:
        planned.status = "not_in_graph"
    return planned


def _figure_text(r: dict[str, Any]) -> str:
    bits = [_text(r.get("factLabel"))]
    return " ".join(b for b in bits if b)


def _which_more(parts: list[tuple[Entity, Planned]]) -> str:
    """Which place has the larger first figure, when both report the same kind of figure (else nothing)."""
    firsts = []
    for place, p in parts:
        row = p.table.rows[0] if p.table is not None and p.table.rows else None
        if row is None:
            return ""
        number = row.get("amount") if row.get("amount") is not None else row.get("value")
        if number is None:
            return ""
        firsts.append((Decimal(str(number.value)), place, _text(row.get("indicatorLabel")) or _text(row.get("unit"))))
    if len({k for _, _, k in firsts}) != 1:
        return "The figures differ in what they count, so neither is called larger."
    top = max(firsts, key=lambda x: x[0])
    return f"Larger: {top[1].label}."


def _span_text(u: Understanding) -> str:
    return f" in {u.time.label}" if u.time else ""


def _iri(term: Any) -> str:
    return str(term.value) if isinstance(term, ox.NamedNode) else ""


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


def _plain(term: Any) -> ox.Literal | None:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return term
    from kg.names.index import compact_iri

    return ox.Literal(compact_iri(str(term.value)))
