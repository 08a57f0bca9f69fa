"""What a question asks, found by rules: entities, relation, kind, aggregation, time, comparison, threshold.

No model and no network: the words come from ``kg/asking/lexicon.json`` (synonyms the project keeps, e.g.
牵线/促成 → who facilitated) and the names from the store's labels and aliases (:mod:`kg.names.index`).
The question is read in a normal form first: traditional script → simplified, full-width → half-width
(:func:`kg.ingest.text.simplify`, OpenCC), case folded. Nothing of the text ever reaches SPARQL as text:
what is found here becomes IRIs, numbers and dates that :mod:`kg.asking.compose` binds as parameters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import QueryError
from kg.names.index import Entity, EntityIndex, Mention, find_mentions, normalize

LEXICON = Path(__file__).with_name("lexicon.json")
#: Longest question read; a longer one is refused (it is never cut: a cut question could mean something else).
MAX_QUESTION = 2_000

_CJK = r"\u4e00-\u9fff"
_NUM = r"(\d+(?:\.\d+)?)\s*(亿|万|千|billion|million|bn)?\s*(?:元|yuan|cny)?"
_ABOVE = re.compile(rf"(?:超过|大于|高于|多于|逾|不少于|不低于|至少|above|over|more than|at least|exceeding)\s*{_NUM}")
_ABOVE_AFTER = re.compile(rf"{_NUM}\s*(?:以上|及以上|多|or more|and above|plus)")
_BELOW = re.compile(rf"(?:低于|少于|小于|不到|不足|不超过|below|under|less than|at most)\s*{_NUM}")
_BELOW_AFTER = re.compile(rf"{_NUM}\s*(?:以下|以内|or less)")
_UNITS = {"亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "千": Decimal(1000), "billion": Decimal(10) ** 9,
          "million": Decimal(10) ** 6, "bn": Decimal(10) ** 9}
_YEAR = re.compile(r"(?<!\d)(20\d\d|19\d\d)\s*(?:年|\b)")
_HALF = re.compile(r"(上半年|下半年|first half|second half|一季度|第一季度|q1)")
_PLACE_CN = re.compile(rf"([{_CJK}]{{1,6}}?)(特别行政区|自治区|省|市|县|区|镇|乡|新区)(?![{_CJK}]{{0,2}}商会)")
_PLACE_EN = re.compile(r"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s(District|County|City|Province|Town)\b")
_ORG_CN = re.compile(rf"([{_CJK}]{{2,10}}?)(集团|公司|商会|大学|银行)")
_EN_WORD = re.compile(r"[a-z][a-z0-9'-]*")


@dataclass(frozen=True)
class TimeSpan:
    """A stretch of time the question names, as ISO dates (both ends included)."""

    label: str
    start: str
    end: str


@dataclass(frozen=True)
class Threshold:
    """A bound on an amount: ``超过100亿`` is ``>`` 10,000,000,000."""

    op: str
    value: Decimal
    text: str


@dataclass
class Understanding:
    """How a question was read; :meth:`as_dict` is what ``kg ask`` shows and ``--format json`` carries."""

    text: str
    norm: str
    mentions: list[Mention] = field(default_factory=list)
    partial: list[tuple[str, list[str]]] = field(default_factory=list)
    #: The names of places in the question, as written (长沙, 辰溪县).
    place_names: list[str] = field(default_factory=list)
    #: The entities of the partial names (found in the whole index, which the index of the question may lack).
    partial_entities: dict[str, Entity] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    relation: str | None = None
    kind: str | None = None
    aggregation: str | None = None
    measure: str | None = None
    time: TimeSpan | None = None
    comparison: bool = False
    threshold: Threshold | None = None

    def readings(self, index: EntityIndex) -> list[list[Entity]]:
        """The entities named, one list of readings per name (full names first, then partial ones)."""
        full = [[index.entities[i] for i in m.iris if i in index.entities] for m in self.mentions]
        known = {**self.partial_entities, **index.entities}
        part = [[known[i] for i in iris if i in known] for _, iris in self.partial]
        return [r for r in full + part if r]

    def as_dict(self, index: EntityIndex | None = None) -> dict[str, Any]:
        """A JSON-ready view of the understanding."""
        entities: list[dict[str, Any]] = []
        for m in self.mentions:
            entities.append({"name": m.surface, "entities": [_brief(index, i) for i in m.iris]})
        for surface, iris in self.partial:
            entities.append({"name": surface, "partial": True,
                         "entities": [_brief(index, i, self.partial_entities) for i in iris]})
        return {
            "entities": entities,
            "unknown": self.unknown,
            "relation": self.relation,
            "kind": self.kind,
            "aggregation": self.aggregation,
            "measure": self.measure,
            "time": None if self.time is None else {"label": self.time.label, "start": self.time.start,
                                                     "end": self.time.end},
            "comparison": self.comparison,
            "threshold": None if self.threshold is None else {"op": self.threshold.op,
                                                              "value": str(self.threshold.value),
                                                              "text": self.threshold.text},
        }

    def describe(self, index: EntityIndex | None = None) -> list[str]:
        """Lines saying how the question was read (``kg ask`` prints them above the answer)."""
        d = self.as_dict(index)
        lines = []
        for e in d["entities"]:
            names = ", ".join(f"{x['label']} {x['iri']}" for x in e["entities"])
            lines.append(f"  entity: {e['name']}{' (partial name)' if e.get('partial') else ''} → {names}")
        for u in self.unknown:
            lines.append(f"  unknown name: {u}")
        for key in ("relation", "kind", "aggregation", "measure"):
            if d[key]:
                lines.append(f"  {key}: {d[key]}")
        if self.time:
            lines.append(f"  time: {self.time.label} ({self.time.start} … {self.time.end})")
        if self.threshold:
            lines.append(f"  threshold: {self.threshold.op} {self.threshold.value} ({self.threshold.text})")
        if self.comparison:
            lines.append("  comparison: yes")
        return lines


def _brief(index: EntityIndex | None, iri: str, extra: dict[str, Entity] | None = None) -> dict[str, str]:
    from kg.names.index import compact_iri

    e = index.entities.get(iri) if index is not None else None
    e = e or (extra or {}).get(iri)
    return {"iri": compact_iri(iri), "label": e.label if e is not None else iri,
            "class": e.class_label if e is not None else ""}


@cache
def lexicon(path: Path = LEXICON) -> dict[str, Any]:
    """The lexicon file, read once."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def clean(text: str) -> str:
    """The question in the form it is read in: simplified script, half-width, case folded, spaces collapsed.

    Raises :class:`~kg.errors.QueryError` for an empty question or one longer than :data:`MAX_QUESTION`.
    """
    from kg.ingest.text import simplify

    if len(text) > MAX_QUESTION:
        raise QueryError(f"The question is {len(text)} characters long; ask in at most {MAX_QUESTION} "
                         "(one question at a time, e.g. 长沙给招商大使的奖励最高有多少?).")
    norm = normalize(simplify(text))
    if not norm.strip(" ?？!！.。,，"):
        raise QueryError("The question is empty; ask e.g. 长沙有哪些项目 or 'projects in Changsha'.")
    return norm


def has_cue(norm: str, cues: list[str]) -> str | None:
    """The first cue found in *norm*: Chinese cues as substrings, English ones as whole words or phrases."""
    for cue in cues:
        c = cue.casefold()
        if c.isascii():
            # a whole word or phrase, or its plural (age is not agency, event finds events)
            if re.search(rf"(?<![a-z]){re.escape(c)}(?:s|es)?(?![a-z])", norm):
                return cue
        elif c in norm:
            return cue
    return None


def understand(text: str, index: EntityIndex, *, now: date | None = None,
               whole: Callable[[], EntityIndex] | None = None) -> Understanding:
    """Read *text* into an :class:`Understanding`. *now* is the date the data speaks from (去年 is the year
    before it); *whole* gives the whole index of names for partial names (none are looked for without it)."""
    norm = clean(text)
    lex = lexicon()
    u = Understanding(text=text, norm=norm)
    u.mentions = [m for m in find_mentions(index, norm) if not _generic(m.surface, lex)]
    hidden = _hide(norm, u.mentions)
    u.place_names = [m.surface for m in u.mentions
                     if any(e.is_place for e in (index.entities.get(i) for i in m.iris) if e is not None)]
    u.relation = _best(hidden, lex["relations"])
    if _office_holder(norm, u.mentions, index):
        u.relation = "unheld"
    u.kind = _best(hidden, lex["kinds"])
    u.aggregation = _best(hidden, lex["aggregations"])
    u.measure = _best(hidden, lex["measures"])
    u.comparison = has_cue(hidden, lex["comparison"]) is not None
    u.threshold = _threshold(hidden)
    u.time = _time(hidden, lex, now or date.today())
    u.unknown = _unknown(norm, text, u.mentions, index, lex)
    named = [m for m in u.mentions if any(not (e.is_place or e.is_concept)
                                          for e in (index.entities.get(i) for i in m.iris) if e is not None)]
    # partial names only when no entity but places and categories is named in full, and the question asks for a
    # relation or a count (which need an entity to be about): reading the whole index of names takes a while at
    # scale (seconds at 1M), and a list question of the catalogue needs no guess
    if whole is not None and not named and (u.relation or u.aggregation or u.measure):
        # names of categories (冷链, 石化产业) are often part of a longer name (玉湖冷链项目): left visible here
        concepts = [m for m in u.mentions if all(index.entities[i].is_concept for i in m.iris if i in index.entities)]
        u.partial = _partial(_hide(norm, [m for m in u.mentions if m not in concepts]), whole, lex, u)
        u.partial = [(part, iris) for part, iris in u.partial if part not in {m.surface for m in concepts}]
        everything = whole()
        u.partial_entities = {i: everything.entities[i] for _, iris in u.partial for i in iris}
        inside = [m for m in concepts if any(m.surface in part for part, _ in u.partial)]
        u.mentions = [m for m in u.mentions if m not in inside]
    return u


def _office_holder(norm: str, mentions: list[Mention], index: EntityIndex) -> bool:
    """长沙市长, 辰溪县长: the head of a place, whose 市/县/区 the place's name took (长沙市 + 长)."""
    for m in mentions:
        if m.surface[-1:] in "市县区" and any(index.entities[i].is_place for i in m.iris if i in index.entities):
            rest = norm[m.end:]
            if rest.startswith("长") and not rest.startswith(("长三角", "长江", "长沙", "长株潭", "长期")):
                return True
    return False


def _generic(surface: str, lex: dict[str, Any]) -> bool:
    return surface in lex.get("not_names", [])


def _hide(norm: str, mentions: list[Mention]) -> str:
    """*norm* with the names found blanked out, so that words inside names are not read as cues."""
    chars = list(norm)
    for m in mentions:
        for i in range(m.start, m.end):
            chars[i] = " "
    return "".join(chars)


def _best(norm: str, table: dict[str, Any]) -> str | None:
    """The entry of *table* with the highest ``priority`` whose cue occurs in *norm*, then the one with the longest
    cue (the longer cue is the more specific): 奖励 (a reward cap) before 投资 (an investment)."""
    best: tuple[int, int, str] | None = None
    for name, entry in table.items():
        if name.startswith("_"):
            continue
        for cue in [*entry.get("zh", []), *entry.get("en", [])]:
            key = (int(entry.get("priority", 0)), len(cue), name)
            if has_cue(norm, [cue]) and (best is None or key[:2] > best[:2]):
                best = key
    return best[2] if best else None


def _amount(number: str, unit: str | None) -> Decimal:
    value = Decimal(number)
    return value * _UNITS[unit] if unit else value


def _threshold(norm: str) -> Threshold | None:
    for pattern, op in ((_ABOVE, ">"), (_ABOVE_AFTER, ">="), (_BELOW, "<"), (_BELOW_AFTER, "<=")):
        m = pattern.search(norm)
        if m and (m.group(2) or Decimal(m.group(1)) >= 10000):
            return Threshold(op, _amount(m.group(1), m.group(2)), m.group(0).strip())
    return None


def _time(norm: str, lex: dict[str, Any], now: date) -> TimeSpan | None:
    year: int | None = None
    label = ""
    m = _YEAR.search(norm)
    if m:
        year, label = int(m.group(1)), m.group(0).strip()
    for word, offset in lex["relative_years"].items():
        if has_cue(norm, [word]):
            year, label = now.year + int(offset), word
            break
    for name, entry in lex["seasons"].items():
        if has_cue(norm, entry["cues"]):
            y = year if year is not None else now.year
            span = entry["dates"].get(str(y))
            if span is None:
                return TimeSpan(f"{label}{name}", f"{y}-01-01", f"{y}-12-31") if year else None
            return TimeSpan(f"{label}{name}", span[0], span[1])
    h = _HALF.search(norm)
    if h and year is None:
        year = now.year if now.month > 6 else now.year - 1
    if h and year is not None:
        first = h.group(1) in ("上半年", "first half")
        if h.group(1) in ("一季度", "第一季度", "q1"):
            return TimeSpan(f"{label}{h.group(1)}", f"{year}-01-01", f"{year}-03-31")
        return TimeSpan(f"{label}{h.group(1)}", f"{year}-01-01" if first else f"{year}-07-01",
                        f"{year}-06-30" if first else f"{year}-12-31")
    if year is not None:
        return TimeSpan(label, f"{year}-01-01", f"{year}-12-31")
    return None


def _unknown(norm: str, text: str, mentions: list[Mention], index: EntityIndex, lex: dict[str, Any]) -> list[str]:
    """Names of places and organisations in the question that no entity has (鼓楼区, Gulou District)."""
    taken = [False] * len(norm)
    for mention in mentions:
        for i in range(mention.start, mention.end):
            taken[i] = True
    stops = lex["name_boundaries"]
    generic = lex["generic_places"]
    out: list[str] = []
    for pattern in (_PLACE_CN, _ORG_CN):
        for found in pattern.finditer(norm):
            # the name starts after the last boundary word before the suffix (请问鼓楼区 → 鼓楼区)
            stem = found.group(1)
            cut = max((stem.rfind(s) + len(s) for s in stops if s in stem), default=0)
            stem = stem[cut:]
            start = found.start() + cut
            name = stem + found.group(2)
            if len(stem) < 2 or any(taken[start:found.end()]) or name in generic or any(g in stem for g in generic):
                continue
            if not index.lookup(name) and name not in out:
                out.append(name)
    # names of China's divisions (GB/T 2260, kg/ingest/data/regions.tsv) that the graph does not hold: 武汉, 湘潭市
    common = set(lex["common_place_words"])
    for name in sorted(_divisions(), key=lambda n: (-len(n), n)):
        if name in common:
            continue
        start = norm.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(taken[start:end]):
                for i in range(start, end):
                    taken[i] = True
                if not index.lookup(name) and normalize(name) not in index.names and name not in out:
                    out.append(name)
            start = norm.find(name, end)
    for english in _PLACE_EN.finditer(unicode_fold(text)):
        name = english.group(0)
        if not index.lookup(name) and normalize(name) not in index.names and name not in out:
            out.append(name)
    # in the order the question names them
    return sorted(out, key=lambda n: norm.find(normalize(n)) if normalize(n) in norm else len(norm))


@cache
def _divisions() -> frozenset[str]:
    """Every division's name, and the short names of provinces and prefectures (武汉市, 武汉). Counties keep
    their suffix (鼓楼区): there are near 3,000 of them, and their short names are often common words (比如县)."""
    from kg.ingest.gazetteer import division_table

    names: set[str] = set()
    for row in division_table():
        name = row[1]
        names.add(name)
        if row[2] == "county":
            continue
        for suffix in ("特别行政区", "自治区", "自治州", "自治县", "地区", "新区", "省", "市", "县", "区", "盟", "旗"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                names.add(name[: -len(suffix)])
                break
    return frozenset(names)


def unicode_fold(text: str) -> str:
    """NFKC without case folding (English place names are found by their capitals)."""
    import unicodedata

    return unicodedata.normalize("NFKC", text)


#: Kinds of node whose labels are sentences about them, not names: never found by a part of their label.
_DESCRIBED = ("zs:Practice", "zs:Metric", "zs:CountedGroup", "zs:SigningTotal", "zs:Appointment", "zs:OverlapGroup",
              "zs:Period", "zs:Indicator", "schema:MonetaryAmount")


def _partial(hidden: str, whole: Callable[[], EntityIndex], lex: dict[str, Any],
             u: Understanding) -> list[tuple[str, list[str]]]:
    """Entities named in part (玉湖冷链 for 玉湖冷链(长沙)交易中心, Yuhu cold chain for the Yuhu Cold Chain (Changsha)
    Trading Centre): looked for only in what is left of the question once names and cue words are removed.
    A part must be specific: a Chinese part of three characters or more shared by at most four entities (or
    of two characters naming one, or one category such as a chain); English words score by how many of
    them an entity's name holds, and only the best few are kept."""
    rest = hidden
    for cue in sorted(_all_cues(lex), key=len, reverse=True):
        if not cue.isascii():
            rest = rest.replace(cue, " ")
    common = set(lex["common_words"])
    runs = [r for r in re.findall(rf"[{_CJK}]{{2,}}", rest) if r not in common]
    en_cues = _en_cues(lex)
    capitalised = {w.casefold() for w in re.findall(r"\b[A-Z][A-Za-z]+", u.text)}
    words = [w for w in _EN_WORD.findall(rest.replace("-", " "))
             if len(w) >= 3 and w not in common and w not in en_cues]
    if not runs and not words:
        return []
    index = whole()
    known = {i for m in u.mentions for i in m.iris}
    labels = [(e, [normalize(n) for n in (e.label_zh, e.label_en, *e.aliases) if n])
              for e in index.entities.values()
              if not e.is_place and e.iri not in known and not any(c in _DESCRIBED for c in e.classes)]
    wanted = set(lex["kinds"][u.kind]["classes"]) if u.kind else set()
    found: list[tuple[str, list[str]]] = []
    for run in runs:
        hit = _part_of(run, labels, common, wanted)
        if hit:
            found.append(hit)
    if words:
        scored: list[tuple[int, str]] = []
        for e, names in labels:
            text = " ".join(names).replace("-", " ")
            score = sum(1 for w in words if re.search(rf"(?<![a-z]){re.escape(w)}", text))
            if score:
                scored.append((score, e.iri))
        if scored:
            top = max(s for s, _ in scored)
            best = [iri for s, iri in scored if s == top]
            proper = any(w in capitalised for w in words)
            of_kind = [iri for iri in best if wanted & set(index.entities[iri].classes)]
            if len(best) > 1 and len(of_kind) == 1 and proper:
                best = of_kind
            if len(best) <= 4 and (top >= 2 or (len(best) == 1 and proper)):
                found.append((" ".join(words), best))
    return found


def _part_of(run: str, labels: list[tuple[Entity, list[str]]], common: set[str],
             wanted: set[str]) -> tuple[str, list[str]] | None:
    for size in range(len(run), 1, -1):
        for i in range(len(run) - size + 1):
            part = run[i: i + size]
            if part in common:
                continue
            hits = [e for e, names in labels if any(part in n for n in names)]
            if not hits:
                continue
            concepts = [e for e in hits if e.is_concept]
            of_kind = [e for e in hits if wanted & set(e.classes)]
            if size >= 3 and len(hits) <= 4:
                return part, [e.iri for e in (of_kind if len(of_kind) == 1 else hits)]
            for choice in (hits, concepts, of_kind):
                if len(choice) == 1:
                    return part, [choice[0].iri]
    return None


@cache
def _all_cues_cached() -> tuple[str, ...]:
    lex = lexicon()
    cues: list[str] = []
    for section in ("relations", "kinds", "aggregations", "measures"):
        for name, entry in lex[section].items():
            if not name.startswith("_"):
                cues += [*entry.get("zh", []), *entry.get("en", [])]
    cues += lex["comparison"] + list(lex["relative_years"]) + lex["question_words"]
    for entry in lex["seasons"].values():
        cues += entry["cues"]
    return tuple(cues)


def _all_cues(lex: dict[str, Any]) -> tuple[str, ...]:
    return _all_cues_cached()


def _en_cues(lex: dict[str, Any]) -> set[str]:
    return {w for c in _all_cues(lex) if c.isascii() for w in c.casefold().split()}
