"""Find places in a text: GB/T 2260 divisions with current codes, their short forms, and the graph's places.

Rules, from the hazards the project has met:

- full names win over short forms, and longer matches over shorter ones (长沙县 is never 长沙 + 县);
- a short form means the highest level that has it (长沙 → 长沙市, not 长沙县; 吉林 → 吉林省, not 吉林市);
- a county-level short form (辰溪 for 辰溪县) counts only when its prefecture or province is named in the
  same article, since two-character county names are often ordinary words;
- a full name shared by several divisions (朝阳区, 鼓楼区) is resolved only by an ancestor named in the
  article; without one it is flagged for review, never guessed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick

from kg.namespaces import ZR

DATA = Path(__file__).resolve().parent / "data"
_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2, "place": 1}
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_PREFECTURE_SUFFIXES = ("自治州", "地区", "盟", "市")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "县", "区", "市", "旗")
#: Short forms that are ordinary words far more often than places.
_STOP_SHORT = {"城区", "郊区", "矿区", "新区", "东方", "和平", "城中", "河东", "河西", "新华", "白云", "青山",
               "永定", "开发", "高新", "经开", "大成", "长安", "安全", "中心", "南方", "北方", "东区", "西区"}


@dataclass(frozen=True)
class Place:
    """A place the matcher knows: a coded division or a place of the graph."""

    iri: str
    label: str
    kind: str  #: province, prefecture, county, or the local name of a graph class (EconomicRegion …)
    code: str = ""
    parent: str = ""  #: parent code, for divisions
    lon: str = ""
    lat: str = ""
    members: tuple[str, ...] = ()  #: IRIs a group place (北上广深, 长三角) contains

    @property
    def coded(self) -> bool:
        """True for a GB/T 2260 division."""
        return bool(self.code)


@dataclass(frozen=True)
class Mention:
    """A place named in a text, or a name that needs review."""

    start: int
    end: int
    surface: str
    place: Place | None  #: None when the name is ambiguous
    candidates: tuple[Place, ...] = ()
    short: bool = False


@dataclass
class Gazetteer:
    """Places by every name they go by, and an automaton to find those names."""

    places: dict[str, Place] = field(default_factory=dict)  #: by IRI
    by_code: dict[str, Place] = field(default_factory=dict)
    names: dict[str, list[tuple[Place, bool]]] = field(default_factory=dict)  #: name → (place, is_short)
    automaton: ahocorasick.Automaton | None = None

    def add(self, place: Place, names: Iterable[str], short: Iterable[str] = ()) -> None:
        """Register *place* under its full *names* and *short* forms."""
        self.places.setdefault(place.iri, place)
        if place.code:
            self.by_code.setdefault(place.code, place)
        for n, is_short in [*((n, False) for n in names), *((s, True) for s in short)]:
            if len(n) < 2:
                continue
            entries = self.names.setdefault(n, [])
            if not any(p.iri == place.iri for p, _ in entries):
                entries.append((place, is_short))
        self.automaton = None

    def ancestors(self, place: Place) -> list[str]:
        """Codes of the divisions above *place*."""
        out = []
        code = place.parent
        while code and code in self.by_code:
            out.append(code)
            code = self.by_code[code].parent
        return out

    def chain(self, place: Place) -> list[Place]:
        """*place* and the divisions above it, nearest first."""
        return [place, *(self.by_code[c] for c in self.ancestors(place))]

    def _built(self) -> ahocorasick.Automaton:
        if self.automaton is None:
            a = ahocorasick.Automaton()
            for name in self.names:
                a.add_word(name, name)
            a.make_automaton()
            self.automaton = a
        return self.automaton

    def find(self, text: str) -> list[Mention]:
        """Every place named in *text* (leftmost-longest), ambiguous names included with ``place=None``."""
        raw = []
        for end, name in self._built().iter(text):
            raw.append((end - len(name) + 1, end + 1, name))
        raw.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        chosen: list[tuple[int, int, str]] = []
        last_end = -1
        for s, e, name in raw:
            if s >= last_end:
                chosen.append((s, e, name))
                last_end = e
        # Context: divisions named by an unambiguous full name or province/prefecture short form.
        context: set[str] = set()
        for _, _, name in chosen:
            entries = self.names[name]
            best = _best(entries)
            if len(best) == 1 and (not best[0][1] or best[0][0].kind in ("province", "prefecture")):
                context.add(best[0][0].code)
                context.update(self.ancestors(best[0][0]))
        out = []
        for s, e, name in chosen:
            best = _best(self.names[name])
            is_short = best[0][1]
            if len(best) > 1:
                # The candidate whose nearest named ancestor is closest wins (南京市鼓楼区: 南京, not 江苏's 徐州).
                depth = {p.iri: next((i for i, c in enumerate(self.ancestors(p)) if c in context), 99) for p, _ in best}
                nearest = min(depth.values())
                in_context = [p for p, _ in best if depth[p.iri] == nearest < 99]
                if len(in_context) == 1:
                    out.append(Mention(s, e, name, in_context[0], tuple(p for p, _ in best), is_short))
                elif not is_short:
                    out.append(Mention(s, e, name, None, tuple(p for p, _ in best)))
                continue
            place = best[0][0]
            if is_short and place.kind == "county" and place.parent not in context:
                continue
            if is_short and name in _STOP_SHORT:
                continue
            out.append(Mention(s, e, name, place, (place,), is_short))
        return out


def _best(entries: list[tuple[Place, bool]]) -> list[tuple[Place, bool]]:
    """Full names before short forms; then the highest level."""
    full = [x for x in entries if not x[1]]
    pool = full or entries
    if pool is entries:  # only short forms: the highest level wins
        top = min(_LEVEL_RANK.get(p.kind, 1) for p, _ in pool)
        pool = [x for x in pool if _LEVEL_RANK.get(x[0].kind, 1) == top]
    return pool


def short_forms(name: str, level: str) -> list[str]:
    """The short forms of a division's name (湖南省 → 湖南; 长沙市 → 长沙; 辰溪县 → 辰溪).

    >>> short_forms("广西壮族自治区", "province"), short_forms("长沙县", "county")
    (['广西'], ['长沙'])
    """
    suffixes = {"province": _PROVINCE_SUFFIXES, "prefecture": _PREFECTURE_SUFFIXES}.get(level, _COUNTY_SUFFIXES)
    for suf in suffixes:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            stem = name[: -len(suf)]
            if level == "province" and suf.endswith("自治区") and len(stem) > 2:
                stem = stem[:2] if stem != "内蒙古" else stem
            if level == "prefecture" and suf == "自治州":
                stem = stem[:2]
            return [stem]
    return []


@lru_cache(maxsize=1)
def division_table() -> tuple[tuple[str, ...], ...]:
    """The rows of ``data/regions.tsv``: code, name, level, parent, lon, lat."""
    with (DATA / "regions.tsv").open(encoding="utf-8") as fh:
        rows = csv.reader((ln for ln in fh if not ln.startswith("#")), delimiter="\t")
        next(rows)
        return tuple(tuple(r) for r in rows)


def region_iri(code: str) -> str:
    """The IRI of a division, as data/facts/gazetteer.ttl writes it."""
    return f"{ZR}region/{code}"


def load_gazetteer(extra: Iterable[tuple[Place, list[str]]] = ()) -> Gazetteer:
    """The divisions of ``data/regions.tsv``, plus *extra* places (from the graph) with their names."""
    g = Gazetteer()
    for code, name, level, parent, lon, lat in division_table():
        place = Place(region_iri(code), name, level, code, parent, lon, lat)
        g.add(place, [name], short_forms(name, level))
    for place, names in extra:
        if place.code and place.code in g.by_code:
            # A division the graph knows: keep its data, add the graph's labels as names.
            g.add(g.by_code[place.code], [n for n in names if n != g.by_code[place.code].label])
        else:
            g.add(place, names)
    return g
