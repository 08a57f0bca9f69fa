"""The graph a view draws: entities as nodes, links between them as edges, literals and sentences as attributes.

The store holds many nodes that are not things a reader wants to see as circles: sentences and their
selectors, monetary amounts, periods, qualifiers, stages, indicators, centroids (which are which is
:mod:`kg.graph.kinds`, shared with the entity graph of ``kg rank`` and ``kg path``). They become attributes of the
entities that point to them (an amount becomes the project's "investment: 约50亿元", a period its date, a
sentence its quoted source). What is left, the entities, are nodes; links between two entities are edges,
labelled with the relation's ``rdfs:label`` from the ontology.

>>> from kg.views.model import parse_class
>>> parse_class("zs:Enterprise")
'https://w3id.org/zhaoshang-kg/def#Enterprise'
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg.backend import AnyStore
from kg.errors import AmbiguousEntity, InputError, UnknownEntity, ViewTooLarge
from kg.graph.kinds import CONCEPT_CLASSES, STANDARD_LABELS, node_class, unlinked_concepts
from kg.namespaces import PREFIXES, ZS
from kg.query.catalogue import select
from kg.store.samples import mark_quotes, sample_quotes

#: Above this many nodes a view is refused, with a message that says how to narrow it.
MAX_NODES = 2000

RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS = PREFIXES["skos"]
SCHEMA = PREFIXES["schema"]

MONEY = SCHEMA + "MonetaryAmount"
#: Classes of places: a node's region is the nearest place of one of these, climbing containedInPlace.
REGION_CLASSES = (str(ZS.ProvinceLevelDivision), str(ZS.PrefectureLevelDivision))
PLACE_CLASSES = frozenset(
    str(ZS[name])
    for name in ("ProvinceLevelDivision", "PrefectureLevelDivision", "CountyLevelDivision", "Township",
                 "DevelopmentZone", "Port", "EconomicRegion", "WorldRegion", "Country")
)

#: Links that place a node in a region, followed for the region filter.
REGION_LINKS = tuple(
    PREFIXES[p] + n
    for p, n in (("zs", "region"), ("zs", "refArea"), ("schema", "location"), ("zs", "hostRegion"),
                 ("zs", "originRegion"), ("zs", "stationedIn"), ("zs", "governs"))
)
#: Links to an organisation whose region a node shares (a unit, an appointment, an actor).
ORG_LINKS = tuple(PREFIXES[p] + n for p, n in (("org", "unitOf"), ("zs", "actor"), ("org", "organization")))
CONTAINED_IN = SCHEMA + "containedInPlace"

#: Literal properties that are names or editors' notes, not facts worth a tooltip line.
HIDDEN_LITERALS = frozenset({
    RDFS_LABEL, SKOS + "prefLabel", SKOS + "altLabel", SKOS + "editorialNote", SKOS + "definition",
    SCHEMA + "name", str(ZS.sha256), str(ZS.characterCount), str(ZS.sourceFile),
    str(ZS.quote),  # derived shortcut to the source sentence (kg.store.rollups): shown once, as the quote
})
#: Links that are neither edges nor facts.
SKIPPED_LINKS = frozenset({PREFIXES["rdf"] + "type", PREFIXES["prov"] + "wasDerivedFrom",
                           PREFIXES["geo"] + "hasCentroid", SKOS + "inScheme", PREFIXES["qb"] + "dataSet"})
DATE_PROPS = frozenset(str(ZS[n]) for n in ("stageDate", "periodStart", "periodEnd")) | frozenset(
    SCHEMA + n for n in ("startDate", "endDate", "datePublished", "legislationDate", "foundingDate")
) | {PREFIXES["dcterms"] + "issued", PREFIXES["dcterms"] + "created"}

#: Labels of the standard classes the ontology reuses without labelling (zh, en): a legend speaks one language.
STANDARD_CLASS_LABELS: dict[str, tuple[str, str]] = {
    SCHEMA + "Person": ("人物", "Person"),
    SCHEMA + "Event": ("活动", "Event"),
    SCHEMA + "NewsArticle": ("新闻报道", "News article"),
    SCHEMA + "Organization": ("组织", "Organisation"),
    SCHEMA + "Place": ("地点", "Place"),
    SCHEMA + "RiverBodyOfWater": ("河流", "River"),
    PREFIXES["org"] + "Role": ("职务", "Role"),
}
#: The predicate of a link drawn through nodes a class filter hid (a dashed edge saying through what).
VIA = "urn:zhaoshang-kg:via"
#: How many hidden nodes in a row such a link may pass through.
VIA_DEPTH = 2


@dataclass
class ViewNode:
    """One entity as the view shows it."""

    id: str
    label: str
    cls: str
    aliases: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    more_quotes: int = 0
    regions: list[str] = field(default_factory=list)
    amount: Decimal | None = None
    degree: int = 0


@dataclass(frozen=True)
class ViewEdge:
    """A link between two entities, labelled with the relation's name."""

    source: str
    target: str
    predicate: str
    label: str
    via: tuple[str, ...] = ()  # the hidden nodes a filtered view's link passes through (predicate VIA)


@dataclass
class ViewClass:
    """A class as the legend shows it."""

    id: str
    label: str
    count: int = 0


@dataclass
class ViewGraph:
    """What a view draws: nodes by IRI, edges, the classes present, and how the view was chosen."""

    nodes: dict[str, ViewNode]
    edges: list[ViewEdge]
    classes: dict[str, ViewClass]
    lang: str = "zh"
    title: str = ""
    focus: str | None = None
    regions: dict[str, str] = field(default_factory=dict)  # region IRI -> label
    kind: str = "entities"  # or "overview": the region network (kg.views.overview), drawn without edge labels
    years: dict[str, tuple[int, int]] = field(default_factory=dict)  # node -> (first, last) year (kg.views.dating)


@dataclass
class _Raw:
    """Everything read from the store, before choosing what to show."""

    types: dict[str, set[str]]
    labels: dict[str, dict[tuple[str, str], list[str]]]  # iri -> (prop, lang) -> values
    links: list[tuple[str, str, str]]
    literals: dict[str, list[tuple[str, ox.Literal]]]
    quotes: dict[str, list[tuple[int, str]]]
    prop_labels: dict[str, dict[str, str]]
    class_labels: dict[str, dict[str, str]]
    superclasses: dict[str, set[str]]


def parse_class(text: str) -> str:
    """Expand ``prefix:Name`` (or a bare ``Name``, read as ``zs:Name``) to an IRI; IRIs are returned as is."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return text
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return str(ZS) + text


def curie(iri: str) -> str:
    """Shorten an IRI with the project's prefixes (``zs:Enterprise``); unknown IRIs stay whole."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def _local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri


def read_store(store: AnyStore) -> _Raw:
    """Read the types, labels, links, literals, quotes and ontology labels that views need."""
    types: dict[str, set[str]] = defaultdict(set)
    for row in select(store, "SELECT DISTINCT ?e ?t WHERE { ?e a ?t . FILTER(isIRI(?e) && isIRI(?t)) }").rows:
        types[_v(row["e"])].add(_v(row["t"]))
    labels: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in select(store, """SELECT DISTINCT ?e ?p ?l WHERE {
            VALUES ?p { rdfs:label skos:prefLabel skos:altLabel } ?e ?p ?l . FILTER(isLiteral(?l)) }""").rows:
        lit = row["l"]
        lang = lit.language if isinstance(lit, ox.Literal) and lit.language else ""
        labels[_v(row["e"])][(_v(row["p"]), lang)].append(_v(lit))
    links = [
        (_v(r["s"]), _v(r["p"]), _v(r["o"]))
        for r in select(store, """SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o .
                FILTER(isIRI(?s) && isIRI(?o) && ?p != rdf:type && ?p != prov:wasDerivedFrom
                       && ?p != zs:withinRegion) }""").rows
    ]
    literals: dict[str, list[tuple[str, ox.Literal]]] = defaultdict(list)
    for r in select(store, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(isIRI(?s) && isLiteral(?o)) }").rows:
        lit = r["o"]
        if isinstance(lit, ox.Literal) and _v(r["p"]) not in HIDDEN_LITERALS:
            literals[_v(r["s"])].append((_v(r["p"]), lit))
    quotes: dict[str, list[tuple[int, str]]] = defaultdict(list)
    samples = sample_quotes(store)  # a sentence of an invented sample article is shown with its mark
    for r in select(store, """SELECT DISTINCT ?fact ?quote ?idx WHERE {
            ?fact prov:wasDerivedFrom ?s . ?s oa:hasSelector/oa:exact ?quote .
            OPTIONAL { ?s zs:sentenceIndex ?idx } }""").rows:
        idx = _int(r["idx"])
        quotes[_v(r["fact"])].append((idx, mark_quotes(_v(r["quote"]), samples)))
    return _Raw(types, labels, links, literals, quotes, *read_ontology(store))


def read_ontology(
    store: AnyStore,
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]], dict[str, set[str]]]:
    """The ontology parts a view needs whatever it shows: property labels, class labels, superclasses.

    A few hundred statements, read whole by both the whole-store view and the one read around a focus.
    """
    prop_labels: dict[str, dict[str, str]] = defaultdict(dict)
    for r in select(store, """SELECT DISTINCT ?p ?l WHERE {
            VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty rdf:Property }
            ?p a ?kind ; rdfs:label ?l }""").rows:
        lit = r["l"]
        prop_labels[_v(r["p"])][lit.language or "" if isinstance(lit, ox.Literal) else ""] = _v(lit)
    class_labels: dict[str, dict[str, str]] = defaultdict(dict)
    for r in select(store, "SELECT DISTINCT ?c ?l WHERE { ?c a owl:Class ; rdfs:label ?l }").rows:
        lit = r["l"]
        class_labels[_v(r["c"])][lit.language or "" if isinstance(lit, ox.Literal) else ""] = _v(lit)
    # Direct sub-class links, closed here: a transitive path with no constant end is not portable (Virtuoso).
    parents: dict[str, set[str]] = defaultdict(set)
    for r in select(store, "SELECT DISTINCT ?c ?d WHERE { ?c rdfs:subClassOf ?d . FILTER(isIRI(?d)) }").rows:
        parents[_v(r["c"])].add(_v(r["d"]))
    superclasses: dict[str, set[str]] = defaultdict(set)
    for c in list(parents):
        todo = list(parents[c])
        while todo:
            d = todo.pop()
            if d not in superclasses[c]:
                superclasses[c].add(d)
                todo.extend(parents.get(d, ()))
    return prop_labels, class_labels, superclasses


def _v(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return "" if term is None else str(term.value)


def _int(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> int:
    try:
        return int(_v(term))
    except ValueError:
        return 1 << 30


def pick_label(raw: _Raw, iri: str, lang: str) -> str:
    """The entity's label in *lang*, else in the other language, else any label, else its local name."""
    found = raw.labels.get(iri, {})
    other = "en" if lang == "zh" else "zh"
    for prop in (RDFS_LABEL, SKOS + "prefLabel"):
        for want in (lang, other, ""):
            if found.get((prop, want)):
                return sorted(found[(prop, want)])[0]
        for (p, _), values in sorted(found.items()):
            if p == prop and values:
                return sorted(values)[0]
    return _local_name(iri)


def _aliases(raw: _Raw, iri: str) -> list[str]:
    return sorted({v for values in raw.labels.get(iri, {}).values() for v in values})


def prop_label(raw: _Raw, prop: str, lang: str) -> str:
    """The relation's label from the ontology in *lang*; a built-in label for standard terms; its local name."""
    found = raw.prop_labels.get(prop, {})
    other = "en" if lang == "zh" else "zh"
    for want in (lang, other, ""):
        if found.get(want):
            return found[want]
    if prop in STANDARD_LABELS:
        zh, en = STANDARD_LABELS[prop]
        return zh if lang == "zh" else en
    return _local_name(prop)


def class_label(raw: _Raw, cls: str, lang: str) -> str:
    """The class's label from the ontology in *lang*, else its short name."""
    found = raw.class_labels.get(cls, {})
    other = "en" if lang == "zh" else "zh"
    for want in (lang, other, ""):
        if found.get(want):
            return found[want]
    if cls in STANDARD_CLASS_LABELS:
        zh, en = STANDARD_CLASS_LABELS[cls]
        return zh if lang == "zh" else en
    return curie(cls)


def _node_class(raw: _Raw, iri: str) -> str | None:
    """The class *iri* is drawn as, or None when it is not an entity (:func:`kg.graph.kinds.node_class`)."""
    return node_class(iri, raw.types.get(iri, ()), raw.superclasses)


def _is_money(raw: _Raw, iri: str) -> bool:
    return MONEY in raw.types.get(iri, ())


def _money_text(raw: _Raw, iri: str) -> tuple[str, Decimal | None]:
    surface, value = "", None
    for prop, lit in raw.literals.get(iri, []):
        if prop == str(ZS.surfaceForm):
            surface = lit.value
        elif prop == SCHEMA + "value":
            try:
                value = Decimal(lit.value)
            except InvalidOperation:
                value = None
    if not surface and value is not None:
        surface = f"{value} CNY"
    return surface, value


def _literal_text(lit: ox.Literal, limit: int = 240) -> str:
    text = " ".join(str(lit.value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def extract(store: AnyStore, lang: str = "zh") -> ViewGraph:
    """The whole graph of entities in *store*, with labels in *lang* (``zh`` or ``en``)."""
    if lang not in ("zh", "en"):
        raise InputError(f"Unknown language {lang!r}: use zh or en.")
    return _assemble(read_store(store), lang)


def _assemble(raw: _Raw, lang: str) -> ViewGraph:
    node_cls = {iri: c for iri in raw.types if (c := _node_class(raw, iri)) is not None}
    nodes: dict[str, ViewNode] = {}
    for iri, cls in node_cls.items():
        nodes[iri] = ViewNode(id=iri, label=pick_label(raw, iri, lang), cls=cls, aliases=_aliases(raw, iri))

    edges: list[ViewEdge] = []
    seen: set[tuple[str, str, str]] = set()
    other_lang = "en" if lang == "zh" else "zh"
    for s, p, o in raw.links:
        if s not in nodes or p in SKIPPED_LINKS:
            continue
        if o in nodes:
            if s != o and (s, p, o) not in seen:
                seen.add((s, p, o))
                edges.append(ViewEdge(s, o, p, prop_label(raw, p, lang)))
            continue
        # A link to an attribute node: an amount, a period, a stage, a qualifier, an indicator.
        if _is_money(raw, o):
            text, value = _money_text(raw, o)
            nodes[s].facts.append((prop_label(raw, p, lang), text))
            if p == str(ZS.investment) and value is not None:
                nodes[s].amount = max(value, nodes[s].amount or value)
        elif raw.types.get(o) and (raw.labels.get(o) or raw.literals.get(o)):
            nodes[s].facts.append((prop_label(raw, p, lang), pick_label(raw, o, lang)))
    for iri, node in nodes.items():
        for prop, lit in raw.literals.get(iri, []):
            if lit.language and lit.language != lang and any(
                    p == prop and (q.language == lang) for p, q in raw.literals[iri]):
                continue  # the same text in the language shown is there
            if lit.language == other_lang and prop in (SCHEMA + "description",):
                continue
            node.facts.append((prop_label(raw, prop, lang), _literal_text(lit)))
        node.facts.sort(key=lambda f: _fact_rank(f[0], raw, lang))
        quotes = sorted(set(raw.quotes.get(iri, [])))
        node.quotes = [q for _, q in quotes[:3]]
        node.more_quotes = max(0, len(quotes) - 3)

    # Concepts nobody links to are the scheme's furniture, not part of the story (kg.graph.kinds).
    concepts = {i for i, n in nodes.items() if n.cls in CONCEPT_CLASSES}
    for iri in unlinked_concepts(concepts, ((e.source, e.target) for e in edges)):
        del nodes[iri]
    edges = [e for e in edges if e.source in nodes and e.target in nodes]

    regions = _assign_regions(raw, nodes, lang)
    classes: dict[str, ViewClass] = {}
    for node in nodes.values():
        vc = classes.setdefault(node.cls, ViewClass(node.cls, class_label(raw, node.cls, lang)))
        vc.count += 1
    graph = ViewGraph(nodes=nodes, edges=edges, classes=classes, lang=lang, regions=regions)
    _update_degrees(graph)
    return graph


def _fact_rank(name: str, raw: _Raw, lang: str) -> int:
    first = [prop_label(raw, str(ZS.investment), lang), prop_label(raw, str(ZS.value), lang)]
    dates = [prop_label(raw, p, lang) for p in DATE_PROPS]
    if name in first:
        return 0
    if name in dates or name == prop_label(raw, str(ZS.refPeriod), lang):
        return 1
    if name == prop_label(raw, SCHEMA + "description", lang):
        return 9
    return 5


def _assign_regions(raw: _Raw, nodes: dict[str, ViewNode], lang: str) -> dict[str, str]:
    """Give each node the prefecture- or province-level regions it belongs to, for the region filter."""
    out: dict[str, list[str]] = defaultdict(list)
    parents: dict[str, list[str]] = defaultdict(list)
    for s, p, o in raw.links:
        out[s + " " + p].append(o)
        if p == CONTAINED_IN:
            parents[s].append(o)

    def climb(place: str) -> set[str]:
        found: set[str] = set()
        todo, seen = [place], set()
        while todo:
            here = todo.pop()
            if here in seen:
                continue
            seen.add(here)
            kinds = raw.types.get(here, set())
            if any(k in kinds for k in REGION_CLASSES):
                found.add(here)
                continue
            todo.extend(parents.get(here, []))
        return found

    def regions_of(iri: str, depth: int = 0) -> set[str]:
        kinds = raw.types.get(iri, set())
        if kinds & PLACE_CLASSES:
            return climb(iri)
        found: set[str] = set()
        for prop in REGION_LINKS:
            for place in out.get(iri + " " + prop, []):
                found |= climb(place)
        if depth < 2:
            for prop in ORG_LINKS:
                for org in out.get(iri + " " + prop, []):
                    found |= regions_of(org, depth + 1)
        return found

    labels: dict[str, str] = {}
    for iri, node in nodes.items():
        found = regions_of(iri)
        node.regions = sorted(found)
        for r in found:
            labels[r] = pick_label(raw, r, lang)
    return labels


def _update_degrees(graph: ViewGraph) -> None:
    for node in graph.nodes.values():
        node.degree = 0
    for e in graph.edges:
        graph.nodes[e.source].degree += 1
        graph.nodes[e.target].degree += 1


def resolve_entity(graph: ViewGraph, mention: str) -> str:
    """Find the node a user means: an IRI, a ``prefix:name``, or a label or alias in any language."""
    text = mention.strip()
    if text in graph.nodes:
        return text
    expanded = parse_class(text) if ":" in text and not text.startswith("http") else text
    if expanded in graph.nodes:
        return expanded
    exact = [n.id for n in graph.nodes.values() if text in n.aliases or text == n.label]
    if not exact:
        folded = text.casefold()
        exact = [n.id for n in graph.nodes.values() if any(a.casefold() == folded for a in [n.label, *n.aliases])]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        listed = "; ".join(f"{graph.nodes[i].label} <{i}>" for i in sorted(exact)[:10])
        raise AmbiguousEntity(
            f"{mention!r} names {len(exact)} entities: {listed}. Pass the IRI to --focus.",
            [(i, graph.nodes[i].label, curie(graph.nodes[i].cls)) for i in sorted(exact)],
        )
    names = {a: n.id for n in graph.nodes.values() for a in [n.label, *n.aliases]}
    close = difflib.get_close_matches(text, list(names), n=5, cutoff=0.5)
    partial = [a for a in names if text and text in a][:5]
    hint = ", ".join(dict.fromkeys([*close, *partial])) or "none"
    raise UnknownEntity(f"No entity called {mention!r}. Similar names: {hint}. "
                     "Give a label, an alias or an IRI (see `kg stats` for what the graph holds).")


def resolve_classes(graph: ViewGraph, names: Iterable[str], raw_labels: dict[str, ViewClass] | None = None) -> set[str]:
    """Turn ``--class`` values (``zs:Enterprise``, ``Enterprise``, ``企业``, ``enterprise``) into class IRIs."""
    known = raw_labels if raw_labels is not None else graph.classes
    chosen: set[str] = set()
    for name in names:
        iri = parse_class(name)
        if iri in known:
            chosen.add(iri)
            continue
        by_label = [c for c in known.values() if c.label.casefold() == name.strip().casefold()]
        if by_label:
            chosen.update(c.id for c in by_label)
            continue
        listed = ", ".join(sorted(curie(c) for c in known))
        raise InputError(f"No class {name!r} in this graph. Known classes: {listed}.")
    return chosen


def narrow(
    graph: ViewGraph,
    focus: str | None = None,
    hops: int = 1,
    classes: Iterable[str] = (),
    max_nodes: int = MAX_NODES,
) -> ViewGraph:
    """Keep the *hops*-neighbourhood of *focus* and the nodes of *classes*; refuse more than *max_nodes*."""
    focus_iri = None
    if focus:
        if hops < 0:
            raise InputError("--hops must be 0 or more.")
        focus_iri = resolve_entity(graph, focus)
    wanted = resolve_classes(graph, classes) if classes else None
    return narrow_to(graph, focus_iri, hops, wanted, max_nodes)


def narrow_to(
    graph: ViewGraph, focus_iri: str | None, hops: int, wanted: set[str] | None, max_nodes: int = MAX_NODES,
) -> ViewGraph:
    """:func:`narrow` once the focus and the classes are resolved (to IRIs): the focused view read around its
    focus (:mod:`kg.views.focused`) resolves them against the whole store, not against the part it has read."""
    keep = set(graph.nodes)
    if focus_iri is not None:
        adjacency: dict[str, set[str]] = defaultdict(set)
        for e in graph.edges:
            adjacency[e.source].add(e.target)
            adjacency[e.target].add(e.source)
        frontier, keep = {focus_iri}, {focus_iri}
        for _ in range(hops):
            frontier = {n for f in frontier for n in adjacency[f]} - keep
            keep |= frontier
    reach = keep
    if wanted is not None:
        keep = {n for n in keep if graph.nodes[n].cls in wanted or n == focus_iri}
    nodes = {i: n for i, n in graph.nodes.items() if i in keep}
    if len(nodes) > max_nodes:
        biggest = sorted(graph.classes.values(), key=lambda c: -c.count)[:3]
        example = " ".join(f"--class {curie(c.id)}" for c in biggest[:2])
        raise ViewTooLarge(
            f"The view would draw {len(nodes)} nodes, more than the limit of {max_nodes}: a browser cannot lay "
            f"that out usefully. Narrow it: --focus ENTITY --hops 1 (one entity and its neighbours), or "
            f"{example} (some classes only), or raise the limit with --max-nodes N."
        )
    edges = [e for e in graph.edges if e.source in nodes and e.target in nodes]
    if wanted is not None:
        edges += via_edges(graph, set(nodes), reach - set(nodes))
    classes_out: dict[str, ViewClass] = {}
    for node in nodes.values():
        vc = classes_out.setdefault(node.cls, ViewClass(node.cls, graph.classes[node.cls].label))
        vc.count += 1
    used_regions = {r for n in nodes.values() for r in n.regions}
    out = ViewGraph(nodes=nodes, edges=edges, classes=classes_out, lang=graph.lang, title=graph.title,
                    focus=focus_iri, regions={r: lb for r, lb in graph.regions.items() if r in used_regions})
    _update_degrees(out)
    return out


def via_edges(graph: ViewGraph, shown: set[str], hidden: set[str], depth: int = VIA_DEPTH) -> list[ViewEdge]:
    """Links between shown nodes through up to *depth* hidden ones in a row, so that a filter keeps what links.

    One edge per pair of shown nodes not already linked directly, through the shortest such chain (breadth first,
    ties broken by IRI so the view is the same every time); its label names what it passes through.
    """
    adjacency: dict[str, set[str]] = defaultdict(set)
    for e in graph.edges:
        adjacency[e.source].add(e.target)
        adjacency[e.target].add(e.source)
    direct = {frozenset((e.source, e.target)) for e in graph.edges if e.source in shown and e.target in shown}
    found: dict[frozenset[str], tuple[str, str, tuple[str, ...]]] = {}
    for start in sorted(shown):
        frontier: list[tuple[str, tuple[str, ...]]] = [
            (h, (h,)) for h in sorted(adjacency[start]) if h in hidden]
        seen = {start} | {h for h, _ in frontier}
        for _ in range(depth):
            nxt: list[tuple[str, tuple[str, ...]]] = []
            for here, chain in frontier:
                for other in sorted(adjacency[here]):
                    if other in shown and other != start:
                        pair = frozenset((start, other))
                        if pair not in direct and (pair not in found or len(chain) < len(found[pair][2])):
                            found[pair] = (start, other, chain)
                    elif other in hidden and other not in seen:
                        seen.add(other)
                        nxt.append((other, (*chain, other)))
            frontier = nxt
    zh = graph.lang == "zh"
    out = []
    for source, target, chain in sorted(found.values()):
        # A name says through what; a label that is a sentence (a signing total's) gives way to its class.
        parts = [n.label if len(n.label) <= 16 else graph.classes[n.cls].label
                 for n in (graph.nodes[h] for h in chain)]
        names = ("、" if zh else ", ").join(parts)
        out.append(ViewEdge(source, target, VIA, f"经 {names}" if zh else f"via {names}", chain))
    return out
