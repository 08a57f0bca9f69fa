"""Which place a clause is about: the place an amount, a count, an appointment or a task force belongs to.

A sentence of 招商 news often reports several places ("A市…56.8亿元;B市…10.5亿元;C县…"), so a fact takes
the place of its own clause, not of its sentence. The rules, from the errors a per-sentence reading made:

- a place is an *owner* only when it acts in the clause: never one read out of an organisation's or a
  project's name (深圳蓝岸新材料有限公司, 某某(湖南)有限公司, 广州市永州商会), never a station or a destination
  (驻上海…, 在深圳举办, 前往上海、重庆), never a title in book-title marks;
- a development zone or park named in the clause beats its city (the nearest owner wins, and a zone name
  that the gazetteer does not know, 常德经济技术开发区, is recognised after its city's name);
- 该县/该市/全市/我市/全省 resolve against the article's own place (its headline's, else its first owner),
  at the level the word names, never to the last county mentioned;
- a clause without an owner takes the sentence's; a sentence without one takes the article's place, or after
  其中 the previous sentence's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.ingest.gazetteer import Gazetteer, Mention, Place
from kg.ingest.naming import slug
from kg.namespaces import ZR

#: Words before a place that make it a destination, a venue or a station, not the actor of the clause.
_NOT_OWNER_BEFORE = ("分赴", "前往", "赶赴", "奔赴", "来自", "在", "赴", "到", "驻", "至", "往", "去", "于", "从")
#: Zone and park names recognised after a city or county name.
_ZONE = re.compile(r"(?:高新技术产业开发区|经济技术开发区|高新技术开发区|经济开发区|产业开发区|综合保税区|"
                   r"高新区|经开区|工业园区|工业集中区)")
#: Words that stand for a place relative to the article's own.
_DEICTIC = re.compile(r"该县|该市|该区|该州|该省|全县|全市|全区|全州|全省|我县|我市|我区|我州|我省|本市|本县")
#: Organisation names: suffixes after which the words before belong to a name.
_ORG_SUFFIX = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团|公司|(?:总|青年|企业家|企业)?商(?:\(协\))?会|"
                         r"服务中心|研究院|大学|学院|办事处|分公司)")
#: Characters a name walks left over (a company's bracketed place included), stopping at these.
_NAME_STOP = set("的在与和是为了由对向把被从等及或、,，。;；:：“”\"《》—!！?？ \n\t")
#: Idioms holding a place name: 真金白银 is money, not 白银市.
IDIOMS = ("真金白银", "白银时代")


def zone_place(label: str, city: Place) -> Place:
    """A development zone the graph does not know, inside *city* (its centroid stands in for the zone's)."""
    return Place(f"{ZR}place/zone-{slug(label)}", label, "DevelopmentZone", "", city.code, city.lon, city.lat)


def org_spans(t: str) -> list[tuple[int, int]]:
    """[start, end) of organisation names and titles in *t*: places inside them are not owners."""
    out = []
    for m in _ORG_SUFFIX.finditer(t):
        i = m.start()
        while i > 0 and m.start() - i < 20 and t[i - 1] not in _NAME_STOP:
            i -= 1
        if i < m.start():
            out.append((i, m.end()))
    out += [(m.start(), m.end()) for m in re.finditer(r"《[^《》]{0,60}》", t)]
    return out


@dataclass(frozen=True)
class Owner:
    """A place acting in a clause, and how it was found."""

    start: int  #: offset in the article
    end: int
    place: Place
    rule: str  #: "named", "zone", "deictic"


@dataclass
class Places:
    """The article's own place and the owners of every sentence, for :meth:`owner_at`."""

    gazetteer: Gazetteer
    home: Place | None = None
    owners: list[Owner] = field(default_factory=list)
    carry: Place | None = None  #: the last owner of the sentences read so far

    def division(self, p: Place | None) -> Place | None:
        """The division *p* lies in (a zone's city), or *p*."""
        if p is None or p.code:
            return p
        return self.gazetteer.by_code.get(p.parent)

    def level(self, word: str) -> Place | None:
        """The place 该县/全市/全省 … stands for in this article."""
        home = self.division(self.home)
        if home is None:
            return None
        chain = self.gazetteer.chain(home)
        if word[-1] == "省":
            return next((p for p in chain if p.kind == "province"), None)
        if word[-1] in "市州":
            if home.kind == "county" and home.label.endswith("市"):
                return home  # a county-level city: 全市 is the city itself
            return next((p for p in chain if p.kind == "prefecture"), None)
        if word[-1] in "县区":
            return home if home.kind == "county" else None
        return None


def owners_in(t: str, base: int, mentions: list[Mention], places: Places) -> list[Owner]:
    """The owners named in one sentence *t* (simplified text at article offset *base*), in order."""
    spans = org_spans(t)
    out: list[Owner] = []
    excluded_end = -1
    lead: dict[int, int] = {}  #: where a division's name starts when its larger division is written before it
    for k, m in enumerate(mentions):
        p = m.place
        if p is None or not (p.code or p.kind == "DevelopmentZone"):
            continue
        s, e = m.start - base, m.end - base
        if _qualifies_next(m, mentions[k + 1:], places.gazetteer):
            lead[e] = lead.get(s, s)
            continue  # 郴州市 of 郴州市宜章县 only says where 宜章县 lies: the county acts
        if any(a <= s and e <= b for a, b in spans) or any(w in t[max(0, s - 3):e + 3] for w in IDIOMS):
            continue
        before = t[max(0, lead.get(s, s) - 2):lead.get(s, s)]
        topical = before.endswith("在") and t[e:e + 1] in ",，"  # 而在辰溪县,则…: "as for", not a venue
        listed = before.endswith(("、", "和", "及")) and excluded_end >= s - 1  # 前往上海、重庆: all destinations
        if (not topical and before.endswith(_NOT_OWNER_BEFORE)) or listed:
            excluded_end = e
            continue
        if t[e:e + 1] in ("籍", "商") or t[e:e + 2] in ("等地", "地区"):
            continue
        z = _ZONE.match(t, e)
        if z and p.code and p.kind != "province":
            out.append(Owner(m.start, base + z.end(), zone_place(t[s:z.end()], p), "zone"))
            continue
        out.append(Owner(m.start, m.end, p, "named"))
    for d in _DEICTIC.finditer(t):
        where = places.level(d.group())
        if where is not None:
            out.append(Owner(base + d.start(), base + d.end(), where, "deictic"))
    return sorted(out, key=lambda o: o.start)


def _qualifies_next(m: Mention, rest: list[Mention], gazetteer: Gazetteer) -> bool:
    """Whether *m* is written right before a division that lies inside it (岳阳市平江县, 湖南省长沙市)."""
    nxt = next((x for x in rest if x.start >= m.end), None)
    if nxt is None or nxt.start != m.end or nxt.place is None or m.place is None or not nxt.place.code:
        return False
    return any(a.iri == m.place.iri for a in gazetteer.chain(nxt.place)[1:])


def spread(t: str, starts: list[int], ends: list[int], owners: list[Owner], base: int) -> dict[int, Place]:
    """Values listed after 分别 that go one by one to the places listed before it, in the same order:
    "湘乡市、韶山市分别签约…, 签约资金分别为33亿元、12.4亿元" (offsets in *t*; *owners* at article offsets).

    Returns index of a value → its place, only where the two lists have the same length (else nothing: see
    :func:`unpaired`)."""
    out: dict[int, Place] = {}
    for i, j, run in _respective_lists(t, starts, ends, owners, base):
        if len(run) == j - i + 1:
            out.update({i + k: o.place for k, o in enumerate(run)})
    return out


def unpaired(t: str, starts: list[int], ends: list[int], owners: list[Owner], base: int) -> set[int]:
    """Indexes of values listed after 分别 where several places are listed before it, but not as many as the
    values: no value of such a list is the clause's last place's (湘阴县、临湘市分别签约6个、4个、2个)."""
    return {k for i, j, run in _respective_lists(t, starts, ends, owners, base)
            if len(run) >= 2 and len(run) != j - i + 1 for k in range(i, j + 1)}


def _respective_lists(t: str, starts: list[int], ends: list[int], owners: list[Owner],
                      base: int) -> list[tuple[int, int, list[Owner]]]:
    """(first, last, places listed before 分别) for every list of values written after 分别."""
    out = []
    for i, j in value_lists(t, starts, ends):
        cs = clause_start(t, starts[i])
        word = t.rfind("分别", cs, starts[i])
        if word >= 0 and starts[i] - word <= 16:
            out.append((i, j, _listed_run([o for o in owners if cs <= o.start - base and o.end - base <= word],
                                          t, base)))
    return out


def value_lists(t: str, starts: list[int], ends: list[int]) -> list[tuple[int, int]]:
    """The runs of two or more values written as a list (33亿元、12.4亿元和8亿元), as (first, last) indexes into
    *starts*/*ends* (the values' offsets in *t*, in order)."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(starts):
        j = i
        while j + 1 < len(starts) and re.fullmatch(r"\s*[、和及与]?\s*", t[ends[j]:starts[j + 1]]):
            j += 1
        if j > i:
            runs.append((i, j))
        i = j + 1
    return runs


def _listed_run(owners: list[Owner], t: str, base: int) -> list[Owner]:
    """The last run of owners written as a list (A、B和C) among *owners*."""
    run: list[Owner] = []
    for o in owners:
        if run and re.fullmatch(r"[、和及与]", t[run[-1].end - base:o.start - base]):
            run.append(o)
        else:
            run = [o]
    return run


def home_place(title: str, first: list[Owner], gazetteer: Gazetteer) -> Place | None:
    """The article's own place: the first owner of its headline, else of its text."""
    from kg.ingest.text import simplify

    head = owners_in(simplify(title), 0, gazetteer.find(simplify(title)), Places(gazetteer)) if title else []
    for o in head + first:
        return o.place
    return None


def clause_start(t: str, pos: int) -> int:
    """Where the clause holding *pos* starts (after the last 。;；; in *t* before it)."""
    return max(t.rfind(c, 0, pos) for c in "。;；") + 1


def owner_at(t: str, base: int, pos: int, owners: list[Owner], fallback: Place | None) -> tuple[Place | None, str]:
    """The owner of the clause holding article offset *pos* in sentence *t*: (place, rule)."""
    local = pos - base
    cs = base + clause_start(t, local)
    before = [o for o in owners if o.end <= pos]
    in_clause = [o for o in before if o.start >= cs]
    if in_clause:
        return in_clause[-1].place, f"clause-{in_clause[-1].rule}"
    if before:
        return before[-1].place, f"sentence-{before[-1].rule}"
    return fallback, "article"
