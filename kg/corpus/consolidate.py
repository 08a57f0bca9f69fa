"""Consolidation across sources: the same chamber, enterprise, project, person or task force named in two articles.

``kg ingest`` resolves a name to a known entity only when the normalised names are identical
(:meth:`kg.ingest.resolve.KnownGraph.lookup`). Articles name one organisation in many ways (湖南恒睿智能装备有限公司,
恒睿智能装备, 恒睿集团; 深圳湖南商会, 深圳市湖南商会, 湖南商会(深圳)), so a draft often mints a second entity for
something the graph already has. This module finds such **candidate merges** and never merges anything itself:

1. :func:`find_candidates` compares every entity of a draft (of the five classes below) with the entities of
   the same class in the graph and in the draft's other sources, by rules of name variants per class plus
   context (shared region, investor, owner, role …). The rules are deliberately narrow and explained where they
   are defined: a wrong merge silently gives one entity the facts of another, which is worse than a missed one
   (a reviewer can still merge by hand in the decisions file). For the same reason a person whose name the
   graph already has is drafted as a person of their own (:mod:`kg.ingest.draft`): a name alone is no person.
2. ``kg ingest`` writes each candidate in the draft's header as a ``MERGES`` line and a ``#@`` comment holding
   its evidence (both names, both sources' sentences, the shared context); ``kg review`` shows them as merges
   to decide (:func:`read_merges`).
3. A decisions file accepts or rejects each (``"merges"``); :func:`check_merges` refuses a merge into an entity
   of another class or into an IRI the graph does not have, and :func:`apply_merges` rewrites an accepted
   one: the draft's entity becomes the known IRI and its names become ``skos:altLabel`` of it. Nothing else
   of the known entity changes (its class, label and links stay as they are); the new source's figures of it
   (``zs:investment``) and provenance now point at it, so :mod:`kg.store.figures` sees one subject.

Why no fuzzy string similarity (difflib, rapidfuzz): the names that must *not* merge differ by one character
as often as the ones that must (深圳湖南商会 / 深圳湖北商会, 恒睿智能 / 恒瑞智能, 一期 / 二期), while the variants
that must merge differ by whole affixes (有限公司, 集团, 市, 项目). ``benchmarks/consolidation.py`` measures a
similarity-ratio baseline beside these rules on the same invented pairs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import URIRef

from kg.errors import InputError
from kg.ingest.resolve import norm
from kg.namespaces import OA, ORG, PROV, SCHEMA, SKOS, ZS
from kg.paths import Paths

#: The classes consolidated, by IRI → short name.
CLASSES: dict[str, str] = {f"{ZS}ChamberOfCommerce": "ChamberOfCommerce", f"{ZS}Enterprise": "Enterprise",
                           f"{ZS}InvestmentProject": "InvestmentProject", f"{SCHEMA}Person": "Person",
                           f"{ZS}TaskForce": "TaskForce"}
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_NAMES = {_LABEL: "label", f"{SKOS}altLabel": "alt", f"{SKOS}prefLabel": "label", f"{SCHEMA}name": "alt"}
#: Links read as context, by predicate → relation name.
_LINKS = {f"{ZS}hostRegion": "hostRegion", f"{ZS}originRegion": "originRegion", f"{SCHEMA}location": "location",
          f"{ZS}investor": "investor", f"{ORG}unitOf": "owner", f"{ZS}stationedIn": "station"}
_PLACE_CLASSES = ("LevelDivision", "DevelopmentZone", "AdministrativeDivision")
#: What an accepted merge carries from the draft's entity to the known one (besides its names as altLabels):
#: the new source's figures of it and its provenance. Its class, label and other links are the known entity's.
CARRIED = (f"{ZS}investment", str(PROV.wasDerivedFrom))
MERGE_DECISIONS = ("accept", "reject")
#: A project's core name shorter than this names a kind of project (风力发电, 分布式光伏, 文旅项目), which many
#: places attract in one year: such projects are candidates only with the same investor.
PROJECT_NAME_MIN = 6


@dataclass
class Entity:
    """One chamber, enterprise, project, person or task force, with what identifies it."""

    iri: str
    cls: str
    label: str = ""
    names: set[str] = field(default_factory=set)
    context: dict[str, set[str]] = field(default_factory=dict)  #: relation → IRIs
    sentences: list[tuple[str, int, str]] = field(default_factory=list)  #: (source id, index, text)

    @property
    def sources(self) -> set[str]:
        """The sources that name it."""
        return {s for s, _, _ in self.sentences}


@dataclass
class Graph:
    """Entities of the five classes in a set of quads, the names of everything, and the places' parents."""

    entities: dict[str, Entity] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    parents: dict[str, set[str]] = field(default_factory=dict)
    places: set[str] = field(default_factory=set)  #: names of places (with and without 省/市/县/区)
    types: dict[str, set[str]] = field(default_factory=dict)
    ancestors: dict[str, set[str]] = field(default_factory=dict, repr=False)  #: places above each, as computed

    def slim(self) -> Graph:
        """Only what :func:`find_candidates` reads of a draft: its entities, the names of things, the places'
        parents and names (what ``kg ingest`` hands from article to article)."""
        # every label is kept: a region is described only in the first article that names it
        return Graph(self.entities, self.labels, self.parents, self.places,
                     {k: v for k, v in self.types.items() if k in self.entities})

    def update(self, other: Graph) -> None:
        """Add *other* (another article of the same draft): one entity named in both gathers both."""
        for iri, e in other.entities.items():
            mine = self.entities.get(iri)
            if mine is None:
                self.entities[iri] = Entity(e.iri, e.cls, e.label, set(e.names),
                                            {k: set(v) for k, v in e.context.items()}, list(e.sentences))
                continue
            mine.names |= e.names
            for k, v in e.context.items():
                mine.context.setdefault(k, set()).update(v)
            mine.sentences += [x for x in e.sentences if x not in mine.sentences]
        for k, label in other.labels.items():
            self.labels.setdefault(k, label)
        for k, vs in other.parents.items():
            self.parents.setdefault(k, set()).update(vs)
        self.places |= other.places
        for k, vs in other.types.items():
            self.types.setdefault(k, set()).update(vs)


#: A triple as plain strings: (subject, predicate, "i" for an IRI object or "l" for a literal, value, language).
Plain = tuple[str, str, str, str, str]
_EXACT, _DERIVED = f"{OA}exact", str(PROV.wasDerivedFrom)
#: The predicates :func:`read_plain` reads; the rest (offsets, values, hashes …) is most of a draft and skipped.
_READ = frozenset({*_NAMES, *_LINKS, _TYPE, _EXACT, _DERIVED, f"{SCHEMA}containedInPlace", f"{ORG}member",
                   f"{ORG}role", f"{ORG}organization", f"{ZS}facilitatedBy", f"{SCHEMA}author", f"{SCHEMA}editor",
                   f"{SCHEMA}publisher"})
_SENTENCE_TYPES = frozenset({f"{ZS}Sentence", f"{OA}TextQuoteSelector", f"{OA}TextPositionSelector"})


def plain_quads(quads: Iterable[ox.Quad]) -> Iterator[Plain]:
    """Oxigraph quads as :data:`Plain` triples (blank subjects left out)."""
    for q in quads:
        s, o = q.subject, q.object
        if isinstance(s, ox.NamedNode) and q.predicate.value in _READ:
            if isinstance(o, ox.NamedNode):
                yield s.value, q.predicate.value, "i", o.value, ""
            elif isinstance(o, ox.Literal):
                yield s.value, q.predicate.value, "l", o.value, o.language or ""


def plain_triples(by_subject: Mapping[str, Iterable[tuple[str, tuple[str, str, str]]]]) -> Iterator[Plain]:
    """The draft writer's triples (:class:`kg.ingest.draft.TripleSet`) as :data:`Plain` triples: read while
    ``kg ingest`` writes each article, so that the draft is not parsed again."""
    for s, triples in by_subject.items():
        for p, o in triples:
            if p in _READ and not (p == _TYPE and o[1] in _SENTENCE_TYPES):
                yield s, p, ("i" if o[0] == "i" else "l"), o[1], (o[2] if o[0] == "l" else "")


def read_graph(quads: Iterable[ox.Quad]) -> Graph:
    """The entities of *quads* with their names, context and sentences."""
    return read_plain(plain_quads(quads))


def read_plain(triples: Iterable[Plain]) -> Graph:
    """The entities of *triples* with their names, context and sentences."""
    out = Graph()
    names: dict[str, set[str]] = {}
    links: dict[str, list[tuple[str, str]]] = {}
    derived: dict[str, list[str]] = {}
    exact: dict[str, str] = {}
    members: dict[str, list[str]] = {}  # appointment → persons
    appointment: dict[str, dict[str, set[str]]] = {}
    facilitated: dict[str, set[str]] = {}
    authors: dict[str, set[str]] = {}  # article → persons
    publisher: dict[str, str] = {}
    for sv, p, kind, v, lang in triples:
        if kind == "l":
            if p in _NAMES and lang.startswith("zh"):
                names.setdefault(sv, set()).add(v)
                if _NAMES[p] == "label" and (sv not in out.labels or v < out.labels[sv]):
                    out.labels[sv] = v
            elif p == _EXACT:
                exact[sv.removesuffix("-selector")] = v
        elif p == _TYPE:
            out.types.setdefault(sv, set()).add(v)
        elif p == _DERIVED:
            derived.setdefault(sv, []).append(v)
        elif p in _LINKS:
            links.setdefault(sv, []).append((_LINKS[p], v))
        elif p == f"{SCHEMA}containedInPlace":
            out.parents.setdefault(sv, set()).add(v)
        elif p == f"{ORG}member":
            members.setdefault(sv, []).append(v)
        elif p in (f"{ORG}role", f"{ORG}organization"):
            appointment.setdefault(sv, {}).setdefault(p.rsplit("#", 1)[-1], set()).add(v)
        elif p == f"{ZS}facilitatedBy":
            facilitated.setdefault(v, set()).add(sv)
        elif p in (f"{SCHEMA}author", f"{SCHEMA}editor"):
            authors.setdefault(sv, set()).add(v)
        elif p == f"{SCHEMA}publisher":
            publisher[sv] = v
    for iri, classes in out.types.items():
        if any(c.endswith(_PLACE_CLASSES) for c in classes):
            for n in names.get(iri, set()):
                out.places |= {n, re.sub(r"(省|市|县|区|自治州|自治区)$", "", n)}
        cls = next((CLASSES[c] for c in sorted(classes) if c in CLASSES), None)
        if cls is None:
            continue
        e = Entity(iri, cls, out.labels.get(iri, ""), set(names.get(iri, set())))
        for rel, target in links.get(iri, []):
            e.context.setdefault(rel, set()).add(target)
        for sent in sorted(derived.get(iri, [])):
            m = re.search(r"/source/([^/]+)/s([0-9]+)$", sent)
            if m and sent in exact:
                e.sentences.append((m[1], int(m[2]), exact[sent]))
        out.entities[iri] = e
    for app, persons in members.items():  # a person's roles and organisations, from their appointments
        for person in persons:
            if person in out.entities:
                for rel, values in appointment.get(app, {}).items():
                    out.entities[person].context.setdefault(rel, set()).update(values)
    for person, projects in facilitated.items():
        if person in out.entities:
            out.entities[person].context.setdefault("project", set()).update(projects)
    for art, writers in authors.items():  # a journalist's organisation is the paper they write for
        for person in writers:
            if person in out.entities and art in publisher:
                out.entities[person].context.setdefault("organization", set()).add(publisher[art])
    for e in out.entities.values():  # a short name given in the text: X(以下简称Y), X(Y)
        e.names |= short_names(e)
    return out


_SHORT = re.compile(r"[((](?:以下简称|下称|简称)?[“\"「]?([^()()“”」\"、,,。]{2,12})[”\"」]?[))]")


def short_names(e: Entity) -> set[str]:
    """The short names an entity's sentences give it: ``X(以下简称Y)`` always; a bare ``X(Y)`` only when Y's
    characters all come from X in order (恒睿智能 of 湖南恒睿智能装备有限公司), so that ``X(长沙)`` or a
    parenthesis that says something else is not taken for a name."""
    out: set[str] = set()
    for _, _, text in e.sentences:
        for name in e.names:
            at = text.find(name)
            while at >= 0:
                m = _SHORT.match(text, at + len(name))
                if m and (re.match(r"^[((](?:以下简称|下称|简称)", m[0]) or _subsequence(m[1], name)) \
                        and m[1] != name:
                    out.add(m[1])
                at = text.find(name, at + 1)
    return out


def _subsequence(short: str, full: str) -> bool:
    it = iter(full)
    return len(short) < len(full) and all(ch in it for ch in short)


# -- name keys, by class ---------------------------------------------------------------------------------------

_PAREN = re.compile(r"[((]([^()()]*)[))]")
#: Legal forms, longest first: 恒睿智能装备有限公司, 恒睿智能装备股份有限公司 and 恒睿集团 are one company's names.
_LEGAL = ("集团股份有限公司", "集团有限公司", "股份有限公司", "有限责任公司", "有限公司", "集团公司", "控股集团",
          "集团", "公司")
_PHASE = re.compile(r"(?:第)?([一二三四五六七八九十]|[0-9]+)期")


def _strip_places(name: str, places: set[str]) -> tuple[str, frozenset[str]]:
    """*name* without the place names it starts with (湖南、长沙市 …), and those places; a place is stripped
    only while at least two characters remain (长沙银行 keeps 银行 apart from 湖南银行 by its place)."""
    found: set[str] = set()
    changed = True
    while changed:  # prefixes looked up in the set, longest first: places are thousands of names
        changed = False
        for k in range(min(len(name) - 2, 12), 1, -1):
            if name[:k] in places:
                found.add(re.sub(r"(省|市|县|区)$", "", name[:k]))
                name = name[k:]
                changed = True
                break
    return name, frozenset(found)


def name_key(cls: str, name: str, places: set[str]) -> tuple[str, frozenset[str], str]:
    """(core name, places the name states, phase) — two names of one class are variants when their cores and
    phases are equal and their places do not differ.

    - enterprise: without its legal form (有限公司, 股份有限公司, 集团 …), a parenthesis ((湖南)) and leading
      place names (湖南、长沙市);
    - chamber: 湖南商会(深圳) read as 深圳湖南商会, and 省/市 dropped (深圳市湖南商会 is 深圳湖南商会); its
      host and origin regions, when the graph gives them, must agree too (checked in :func:`_contradicts`);
    - project: without 项目, a parenthesis and leading places; 一期 and 二期 are kept apart (the phase);
    - task force and person: the name as it is (a task force is matched by owner and station instead, a person
      only with a shared role or organisation).
    """
    n = norm_keep_parens(name)
    phase = ""
    stated: set[str] = set()
    if cls == "ChamberOfCommerce":
        m = re.match(r"^(.*商会)[((]([^()()]+)[))]$", n)
        if m:
            n = m[2] + m[1]
        return re.sub(r"[省市]", "", n), frozenset(), ""
    if cls in ("Enterprise", "InvestmentProject"):
        stated |= {re.sub(r"(省|市|县|区)$", "", p) for p in _PAREN.findall(n) if p in places}
        n = _PAREN.sub("", n)
        if cls == "Enterprise":
            for suffix in _LEGAL:
                if n.endswith(suffix) and len(n) - len(suffix) >= 2:
                    n = n[:-len(suffix)]
                    break
        else:
            n = n.removesuffix("项目") if len(n) > 4 else n
            m2 = _PHASE.search(n)
            if m2:
                phase = m2[1]
                n = n[:m2.start()] + n[m2.end():]
        n, found = _strip_places(n, places)
        stated |= found
    return n, frozenset(stated), phase


def norm_keep_parens(name: str) -> str:
    """:func:`kg.ingest.resolve.norm` but keeping the parentheses (and making them full-width)."""
    kept = name.replace("(", "(").replace(")", ")")
    return norm(kept.replace("(", "\x01").replace(")", "\x02")).replace("\x01", "(").replace("\x02", ")")


# -- candidates ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """A probable merge of the draft entity *id* into *into*, with its evidence."""

    id: str
    into: str
    cls: str
    names: tuple[str, str]
    rule: str
    shared: tuple[tuple[str, str], ...]  #: (relation, name of the shared entity)
    sentences: tuple[tuple[str, int, str], ...]  #: the draft side's first sentence, then the known side's


def _ancestors(g: Graph, iri: str) -> set[str]:
    if iri in g.ancestors:
        return g.ancestors[iri]
    out, todo = set(), [iri]
    while todo:
        for p in g.parents.get(todo.pop(), set()):
            if p not in out:
                out.add(p)
                todo.append(p)
    g.ancestors[iri] = out
    return out


_CODE = re.compile(r"/region/([0-9]{6})$")


def _code_within(a: str, b: str) -> bool:
    """True when the division code of *a* lies inside that of *b* (GB/T 2260: 430104 is in 430100 and 430000),
    for the divisions a graph names without describing their parents."""
    ma, mb = _CODE.search(a), _CODE.search(b)
    if not ma or not mb:
        return False
    prefix = mb[1].rstrip("0")
    prefix += "0" * (len(prefix) % 2)  # 430000 → 43, 430100 → 4301, 441900 → 4419
    return ma[1].startswith(prefix)


def _related(g: Graph, a: str, b: str) -> bool:
    """The same place, or one inside the other."""
    return (a == b or a in _ancestors(g, b) or b in _ancestors(g, a) or _code_within(a, b)
            or _code_within(b, a))


def _shared(g: Graph, a: Entity, b: Entity) -> list[tuple[str, str]]:
    """The context both entities have (a place counts when one lies inside the other)."""
    out = []
    for rel in sorted(set(a.context) & set(b.context)):
        for x in sorted(a.context[rel]):
            for y in sorted(b.context[rel]):
                if x == y or (rel in ("location", "hostRegion", "originRegion", "station") and _related(g, x, y)):
                    out.append((rel, g.labels.get(y, re.split(r"[#/]", y)[-1])))
    return out


def _contradicts(g: Graph, a: Entity, b: Entity) -> bool:
    """Both say where (or by whom) and they differ: 玉湖冷链交易中心 in 长沙 and in 武汉 are two projects."""
    for rel in ("hostRegion", "originRegion", "location", "investor", "owner", "station"):
        xs, ys = a.context.get(rel, set()), b.context.get(rel, set())
        if xs and ys and not any(x == y or (rel != "investor" and rel != "owner" and _related(g, x, y))
                                 for x in xs for y in ys):
            return True
    return False


def _match(g: Graph, a: Entity, b: Entity) -> str | None:
    """The rule by which *a* and *b* are probably one entity, or None."""
    if _contradicts(g, a, b):
        return None
    if a.cls == "TaskForce":
        same = all(a.context.get(r) and b.context.get(r) and a.context[r] & b.context[r] for r in ("owner", "station"))
        return "task force: same owner and same station" if same else None
    if a.cls == "Person":
        if not {norm(n) for n in a.names} & {norm(n) for n in b.names}:
            return None
        if a.context.get("organization", set()) & b.context.get("organization", set()):
            return "person: same name and same organisation"
        if a.context.get("project", set()) & b.context.get("project", set()):
            return "person: same name and same project"
        one_side = not a.context.get("organization") or not b.context.get("organization")
        if one_side and a.context.get("role", set()) & b.context.get("role", set()):
            return "person: same name and same role (no organisation that differs)"
        return None  # two people with one name are not merged on the name alone
    keys_a = {name_key(a.cls, n, g.places) for n in a.names}
    keys_b = {name_key(b.cls, n, g.places) for n in b.names}
    for core_a, places_a, phase_a in keys_a:
        for core_b, places_b, phase_b in keys_b:
            if len(core_a) < 2 or core_a != core_b or phase_a != phase_b:
                continue
            if places_a and places_b and not places_a & places_b:
                continue  # 长沙恒睿 and 株洲恒睿: the names put them in different places
            if a.cls == "InvestmentProject" and len(core_a) < PROJECT_NAME_MIN \
                    and not a.context.get("investor", set()) & b.context.get("investor", set()):
                continue  # 风力发电, 分布式光伏: a kind of project many places attract, not one project
            return {"ChamberOfCommerce": "chamber: same host and origin in the name (省/市 and word order aside)",
                    "Enterprise": "enterprise: same name without legal form (有限公司, 集团 …) and place prefix",
                    "InvestmentProject": "project: same name without 项目 and place prefix, same phase"}[a.cls]
    return None


#: The most entities one new entity is compared with (the graph's first, then the draft's, in IRI order). A name
#: shared by more entities of a class than this is a kind, not a name (产业园项目 in two hundred counties): past it,
#: comparing every pair made ``kg ingest`` of a thousand reports quadratic (72 s of 105 s in
#: ``benchmarks/ingest.py``), for candidates a reviewer could not check anyway.
MAX_COMPARED = 64


def _blocks(e: Entity, places: set[str]) -> set[tuple[str, ...]]:
    """Keys two entities must share to be compared at all (what :func:`_match` needs equal): at a million
    statements, comparing every new entity with every known one of its class would take hours."""
    if e.cls == "TaskForce":
        return {(e.cls, o, st) for o in e.context.get("owner", set()) for st in e.context.get("station", set())}
    if e.cls == "Person":
        return {(e.cls, norm(n)) for n in e.names}
    named = (name_key(e.cls, n, places) for n in e.names)
    keys: set[tuple[str, ...]] = {(e.cls, core, phase) for core, _, phase in named if len(core) >= 2}
    if e.cls == "InvestmentProject":  # a short name is compared only with the same investor (_match)
        keys = {k for k in keys if len(k[1]) >= PROJECT_NAME_MIN} | {
            (*k, inv) for k in keys if len(k[1]) < PROJECT_NAME_MIN for inv in e.context.get("investor", set())}
    return keys


def find_candidates(draft: Graph, known: Graph) -> list[Candidate]:
    """Every probable merge of an entity the draft mints into one the graph (or another source of the draft)
    already has, in a stable order: at most one each, the graph's entity first."""
    labels = {**known.labels, **draft.labels}
    both = Graph(labels=labels, parents={**known.parents, **draft.parents}, places=known.places | draft.places)
    blocks: dict[tuple[str, ...], list[Entity]] = {}
    for _, e in sorted(known.entities.items()):
        for key in _blocks(e, both.places):
            blocks.setdefault(key, []).append(e)
    out: list[Candidate] = []
    for iri, a in sorted(draft.entities.items()):
        if iri in known.entities:
            continue
        keys = _blocks(a, both.places)
        others = sorted({b.iri: b for key in keys for b in blocks.get(key, [])}.values(),
                        key=lambda b: (b.iri not in known.entities, b.iri))
        for b in others[:MAX_COMPARED]:
            if b.iri == a.iri or (b.iri not in known.entities
                                  and (not a.sources or not b.sources or b.sources & a.sources)):
                continue  # within the draft, only entities of different articles
            rule = _match(both, a, b)
            if rule is not None:
                out.append(Candidate(a.iri, b.iri, a.cls, (a.label or min(a.names, default=""), b.label or
                                                           min(b.names, default="")), rule,
                                     tuple(_shared(both, a, b)), tuple(a.sentences[:1] + b.sentences[:1])))
                break
        for key in keys:  # a later article's entity may be merged into this one
            blocks.setdefault(key, []).append(a)
    return out


def known_graph(files: Iterable[Path]) -> Graph:
    """The entities of the project's data files."""
    from kg.store.rdfio import parse_file

    quads: list[ox.Quad] = []
    for f in files:
        quads += parse_file(f)
    return read_graph(quads)


# -- in the draft ----------------------------------------------------------------------------------------------

MERGES_LINE = "# MERGES:"


def draft_lines(candidates: list[Candidate]) -> list[str]:
    """The header lines of a draft that record its candidate merges: one line each to read, and a ``#@``
    comment with the evidence that ``kg review`` shows."""
    if not candidates:
        return []
    lines = [f"{MERGES_LINE} {len(candidates)} candidate merge(s) of an entity into one the graph has; decide "
             "each in the decisions file's \"merges\" (kg merge --accept-all and --confirm keep them apart):"]
    for i, c in enumerate(candidates, 1):
        lines.append(f"#   - [m{i}] {c.cls} {c.names[0]} → {c.names[1]} ({c.into}): {c.rule}")
        lines.append("#@ " + json.dumps({"merge": f"m{i}", "id": c.id, "into": c.into, "class": c.cls,
                                          "names": list(c.names), "rule": c.rule,
                                          "shared": [list(s) for s in c.shared],
                                          "sentences": [list(s) for s in c.sentences]}, ensure_ascii=False))
    return lines


def read_merges(text: str) -> list[Candidate]:
    """The candidate merges a draft's header records (see :func:`draft_lines`)."""
    from kg.ingest.turtle import read_meta_comments

    out = []
    for m in read_meta_comments(text):
        try:
            if "merge" in m:
                names, shared, sents = m["names"], m["shared"], m["sentences"]
                assert isinstance(names, list) and isinstance(shared, list) and isinstance(sents, list)
                out.append(Candidate(str(m["id"]), str(m["into"]), str(m["class"]), (str(names[0]), str(names[1])),
                                     str(m["rule"]), tuple((str(r), str(v)) for r, v in shared),
                                     tuple((str(s), int(n), str(t)) for s, n, t in sents)))
        except (KeyError, ValueError, TypeError, AssertionError, IndexError):
            continue  # a hand-edited comment: not a candidate (a decision may still name the entity)
    return out


def format_merges(candidates: list[Candidate], width: int = 90) -> list[str]:
    """The merges to decide, as lines of ``kg review``'s table."""
    if not candidates:
        return []
    lines = ["", "CANDIDATE MERGES (decide each in the decisions file's \"merges\"; undecided ones stay apart)"]
    for i, c in enumerate(candidates, 1):
        lines.append(f"  [m{i}] {c.cls}: {c.names[0]} → {c.names[1]}  ({c.rule})")
        lines.append(f"         id {c.id}")
        lines.append(f"         into {c.into}")
        if c.shared:
            lines.append("         shared: " + "; ".join(f"{r}={v}" for r, v in c.shared))
        for src, idx, text in c.sentences:
            t = " ".join(text.split())
            lines.append(f"         {src} s{idx:03d} 「{t if len(t) <= width else t[:width - 1] + '…'}」")
    return lines


# -- decisions -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MergeDecision:
    """A reviewer's decision on merging the draft's entity *id* into *into*."""

    id: str
    into: str
    decision: str
    into_names: frozenset[str] = frozenset()


def read_merge_decisions(items: Any, draft_subjects: set[str]) -> tuple[list[MergeDecision], list[str]]:
    """The ``"merges"`` of a decisions file, checked for form; the problems found (by position)."""
    if items is None:
        return [], []
    if not isinstance(items, list):
        return [], ["\"merges\" must be a list of {\"id\", \"into\", \"decision\"}"]
    out: list[MergeDecision] = []
    problems = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "into", "decision")):
            problems.append(f"merges[{i}]: needs an \"id\", an \"into\" and a \"decision\"")
        elif item["decision"] not in MERGE_DECISIONS:
            problems.append(f"merges[{i}]: decision {item['decision']!r} is not one of {', '.join(MERGE_DECISIONS)}")
        elif item["id"] not in draft_subjects:
            problems.append(f"merges[{i}]: {item['id']} is not an entity of the draft")
        elif item["id"] == item["into"]:
            problems.append(f"merges[{i}]: {item['id']} cannot be merged into itself")
        elif item["id"] in seen:
            problems.append(f"merges[{i}]: a second decision on {item['id']}")
        else:
            seen.add(item["id"])
            out.append(MergeDecision(item["id"], item["into"], item["decision"]))
    return out, problems


def check_merges(merges: list[MergeDecision], draft: Graph, known: Graph) -> tuple[list[MergeDecision], list[str]]:
    """The accepted merges, each with the names its target already has; the problems that refuse them all:
    a merge into an IRI neither the graph nor the draft describes, of an entity that is not a chamber,
    enterprise, project, person or task force, or into an entity of another class."""
    out, problems = [], []
    chain = {m.id: m.into for m in merges if m.decision == "accept"}
    for m in merges:
        if m.decision != "accept":
            continue
        seen, at = {m.id}, m.into
        while at in chain and at not in seen:
            seen.add(at)
            at = chain[at]
        if at in seen:
            problems.append(f"{m.id} is merged into {m.into}, which is merged back into it: decide one direction")
            continue
        target = known.entities.get(m.into) or draft.entities.get(m.into)
        source = draft.entities.get(m.id)
        if source is None:
            problems.append(f"{m.id} is not a chamber, enterprise, project, person or task force of the draft; "
                            "only those are merged")
        elif target is None and not (known.types.get(m.into) or draft.types.get(m.into)):
            problems.append(f"{m.into} is not in the graph: {m.id} ({source.label}) cannot be merged into it")
        elif target is None or target.cls != source.cls:
            kind = target.cls if target else ", ".join(sorted(t.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                                                              for t in known.types.get(m.into, set())
                                                              | draft.types.get(m.into, set())))
            problems.append(f"{m.id} ({source.label}) is of class {source.cls} and {m.into} of class {kind}: "
                            "entities of different classes are never merged")
        else:
            out.append(MergeDecision(m.id, m.into, m.decision, frozenset(target.names | {target.label})))
    return out, problems


def apply_merges(g: rdflib.Graph, merges: list[MergeDecision]) -> None:
    """Rewrite each accepted merge in the draft graph *g*: references to the draft's entity point at the known
    one, its names become ``skos:altLabel`` of it, its figures and provenance (:data:`CARRIED`) go with it,
    and the rest of its description (class, label, links) is dropped: the known entity keeps its own."""
    target = {m.id: m.into for m in merges if m.decision == "accept"}
    for m in merges:
        if m.decision != "accept":
            continue
        final, hops = m.into, 0
        while final in target and hops < len(target):  # n3 → n2 → n1: all into n1
            final, hops = target[final], hops + 1
        node, into = URIRef(m.id), URIRef(final)
        if (node, None, None) not in g:
            continue  # the reviewer rejected the entity's own fact: nothing of it is merged
        names = {str(o) for p, o in g.predicate_objects(node) if str(p) in _NAMES and isinstance(o, rdflib.Literal)
                 and (o.language or "").startswith("zh")}
        carried = [(p, o) for p, o in g.predicate_objects(node) if str(p) in CARRIED]
        g.remove((node, None, None))
        for s, p in list(g.subject_predicates(node)):
            g.remove((s, p, node))
            g.add((s, p, into))
        for p, o in carried:
            g.add((into, p, o))
        for n in sorted(names - set(m.into_names)):
            g.add((into, SKOS.altLabel, rdflib.Literal(n, lang="zh")))


def accepted_merges(paths: Paths, draft: Path, merges: list[MergeDecision]) -> list[MergeDecision]:
    """The accepted merges of a decisions file, checked against the draft and the project's data; raises
    :class:`InputError` (nothing merged) on a merge across classes or into an IRI the graph does not have."""
    from kg.store.build import data_files
    from kg.store.rdfio import parse_file

    if not any(m.decision == "accept" for m in merges):
        return []
    out, problems = check_merges(merges, read_graph(parse_file(draft)), known_graph(data_files(paths)[1:]))
    if problems:
        raise InputError(f"{draft}: the decisions merge entities that cannot be one; nothing was merged:\n"
                         + "\n".join(f"  - {p}" for p in problems))
    return out
