"""Find entities by name: labels and aliases (rdfs:label, skos:prefLabel, skos:altLabel) read from the store.

Names are compared after NFKC normalisation and case folding. 长沙, 长沙市 and Changsha find the same city
because the data gives them as its label and aliases; 长沙县 is its own label, and the longest name found
in a text wins, so ``长沙县`` is never read as ``长沙`` + ``县``. A name shared by several entities is
ambiguous and is reported with its candidates, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.backend import AnyStore
from kg.errors import AmbiguousEntity, UnknownEntity
from kg.namespaces import IRIS, PREFIXES
from kg.query.catalogue import select

ONTOLOGY_GRAPH = f"{IRIS['GRAPH']}ontology"

_LABELS = """
SELECT ?s ?label ?kind ?ontology WHERE {
  GRAPH ?g { ?s ?p ?label }
  VALUES (?p ?kind) { (rdfs:label "label") (skos:prefLabel "label") (skos:altLabel "alias") (schema:name "alias") }
  FILTER (isIRI(?s) && isLiteral(?label))
  FILTER (?g != ?ontology || EXISTS { ?s a ?concept . VALUES ?concept { zs:Card org:Role } })
  FILTER NOT EXISTS {
    ?s a ?skip .
    VALUES ?skip { zs:Sentence schema:MonetaryAmount zs:Period zs:Qualifier zs:ProjectStage owl:Class
                   owl:ObjectProperty owl:DatatypeProperty skos:ConceptScheme geo:Geometry zs:OverlapGroup }
  }
}
"""

_TYPES = """
SELECT ?s ?type ?typeLabel WHERE {
  ?s a ?type .
  OPTIONAL { ?type rdfs:label ?typeLabel . FILTER (LANG(?typeLabel) = "zh") }
}
"""

# Sub-classes of a fixed class: the fixed end keeps the path query simple enough for every engine
# (Virtuoso refuses EXISTS inside BIND, and transitive paths whose start is not a constant).
_PLACE_CLASSES = "SELECT ?c WHERE { ?c rdfs:subClassOf* geo:Feature }"
_CONCEPT_CLASSES = "SELECT ?c WHERE { ?c rdfs:subClassOf* skos:Concept }"

_PARENTS = """
SELECT ?s ?parentLabel ?governs WHERE {
  { ?s schema:containedInPlace ?parent . ?parent rdfs:label ?parentLabel . FILTER (LANG(?parentLabel) = "zh") }
  UNION { ?s zs:governs ?governs }
}
"""

_WITHIN_REGION = "SELECT ?root ?x WHERE { ?x zs:withinRegion ?root }"
_BROADER = "SELECT ?x ?y WHERE { ?x skos:broader ?y }"

_LATIN = re.compile(r"[A-Za-z0-9]")
_CJK_SUFFIXES = ("特别行政区", "自治区", "省", "市", "县", "区")
_EN_SUFFIXES = (" province", " district", " county", " municipality")


def normalize(text: str) -> str:
    """The form names are compared in: NFKC, case-folded, quotes and brackets of titles removed, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[《》“”\"‘’「」『』]", "", text)
    return " ".join(text.split())


def compact_iri(iri: str) -> str:
    """``zs:Card`` for a known namespace, else the IRI."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best = ns
            short = f"{prefix}:{iri[len(ns):]}"
    return short if best else iri


@dataclass
class Entity:
    """An entity with its names and classes, as the resolver and ``kg ask`` show it."""

    iri: str
    label_zh: str = ""
    label_en: str = ""
    aliases: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    class_label: str = ""
    parent: str = ""
    governs: str = ""
    is_place: bool = False
    is_concept: bool = False

    @property
    def label(self) -> str:
        """The Chinese label, else the English one, else the IRI."""
        return self.label_zh or self.label_en or self.iri

    def describe(self) -> str:
        """``长沙县 (县级行政区, in 长沙市) <iri>`` — enough to tell look-alikes apart."""
        extra = ", ".join(x for x in (self.class_label, f"in {self.parent}" if self.parent else "") if x)
        return f"{self.label} ({extra}) {compact_iri(self.iri)}" if extra else f"{self.label} {compact_iri(self.iri)}"

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly view."""
        return {"iri": self.iri, "label": self.label, "label_en": self.label_en, "class": self.class_label,
                "parent": self.parent}


@dataclass(frozen=True)
class Mention:
    """A span of a text that names one or more entities."""

    start: int
    end: int
    surface: str
    iris: tuple[str, ...]


@dataclass
class EntityIndex:
    """Every named entity of a store and the names that find it."""

    entities: dict[str, Entity]
    names: dict[str, set[str]]

    def lookup(self, name: str) -> list[Entity]:
        """Entities whose label or alias is *name* (normalised), best known first."""
        iris = self.names.get(normalize(name), set())
        return sorted((self.entities[i] for i in iris), key=lambda e: (e.is_concept, e.label))


def load_entities(store: AnyStore) -> EntityIndex:
    """Read every label and alias of the store into an :class:`EntityIndex`."""
    return _index(store, None)


def find(store: AnyStore, name: str, *, places_only: bool = False,
         whole: Callable[[], EntityIndex] | None = None) -> Entity:
    """What ``resolve(load_entities(store), name)`` finds, reading only the entities that could be meant.

    An IRI is looked up directly; a name is looked up as it is spelled (a Chinese, English or plain label or
    alias), then as a short place name (辰溪 for 辰溪县, Chenxi for Chenxi County). Only when neither finds
    an entity is every name read: other spellings (case, full-width forms) and the suggestions of the error
    need the whole index, which *whole* gives when set (the index kept beside a store generation,
    :mod:`kg.names.kept`) and :func:`load_entities` otherwise.
    """
    text = name.strip()
    iri = _as_iri(text)
    if iri is not None:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:  # '<http://ex/a b>', '<>': the engine's ValueError would reach the user raw
            raise UnknownEntity(f"{name!r} is not a valid IRI ({exc}); give a full IRI such as "
                                "<https://w3id.org/zhaoshang-kg/...>, a prefix:name or a label.") from None
        return resolve(_index(store, {iri}), name, places_only=places_only)
    # lazily: the short-name lookups run only when the name as spelled finds nothing
    for candidates in (_spelled(store, texts) for texts in ([text], _longer_names(text))):
        if candidates:
            try:
                return resolve(_index(store, candidates), name, places_only=places_only)
            except UnknownEntity:
                break  # found only as a value, a term or another kind of thing: the whole index decides
    return resolve(whole() if whole is not None else load_entities(store), name, places_only=places_only)


_NAMED = """SELECT DISTINCT ?s ?name WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel schema:name } ?s ?p ?name . FILTER (isIRI(?s)) }"""


def _spelled(store: AnyStore, texts: list[str]) -> set[str]:
    """IRIs with a label or alias spelled exactly as one of *texts* (in Chinese, in English or untagged)."""
    found: set[str] = set()
    for text in texts:
        for literal in (ox.Literal(text, language="zh"), ox.Literal(text, language="en"), ox.Literal(text)):
            found |= {str(r["s"].value) for r in select(store, _NAMED, {"name": literal}).rows if r["s"] is not None}
    return found


def _longer_names(text: str) -> list[str]:
    """The place names *text* is the short name of (:func:`_add_short_names` in reverse)."""
    names = [text + suffix for suffix in _CJK_SUFFIXES if len(text) >= 2]
    if len(text) >= 3 and _LATIN.search(text):
        names += [text + suffix.title() for suffix in _EN_SUFFIXES] + [text + suffix for suffix in _EN_SUFFIXES]
    return names


#: Classes whose members carry a label but are never what a name stands for (compact IRIs, as Entity.classes).
_UNNAMED = frozenset({"zs:ProjectMilestone"})


def _index(store: AnyStore, only: set[str] | None) -> EntityIndex:
    """The index of every entity, or of the entities *only* names (one small query each)."""
    entities: dict[str, Entity] = {}
    names: dict[str, set[str]] = {}

    def rows(query: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None) -> list[dict[str, Any]]:
        if only is None:
            return select(store, query, bindings).rows
        return [r for iri in sorted(only)
                for r in select(store, query, {**(bindings or {}), "s": ox.NamedNode(iri)}).rows]

    for row in rows(_LABELS, {"ontology": ox.NamedNode(ONTOLOGY_GRAPH)}):
        s, label, kind = row["s"], row["label"], row["kind"]
        if not isinstance(s, ox.NamedNode) or not isinstance(label, ox.Literal) or kind is None:
            continue
        e = entities.setdefault(s.value, Entity(iri=s.value))
        text = label.value.strip()
        if kind.value == "label" and label.language == "zh" and not e.label_zh:
            e.label_zh = text
        elif kind.value == "label" and label.language == "en" and not e.label_en:
            e.label_en = text
        elif text not in e.aliases:
            e.aliases.append(text)
        key = normalize(text)
        if key:
            names.setdefault(key, set()).add(s.value)
    place_classes = {str(r["c"].value) for r in select(store, _PLACE_CLASSES).rows if r["c"] is not None}
    concept_classes = {str(r["c"].value) for r in select(store, _CONCEPT_CLASSES).rows if r["c"] is not None}
    concept_classes |= {IRIS["SKOS"] + "Concept", IRIS["ORG"] + "Role"}
    for row in rows(_TYPES):
        s = row["s"]
        if not isinstance(s, ox.NamedNode) or s.value not in entities or row["type"] is None:
            continue
        e = entities[s.value]
        type_iri = str(row["type"].value)
        e.classes.append(compact_iri(type_iri))
        if row["typeLabel"] is not None and not e.class_label:
            e.class_label = str(row["typeLabel"].value)
        e.is_place = e.is_place or type_iri in place_classes
        e.is_concept = e.is_concept or type_iri in concept_classes
    for iri in [i for i, e in entities.items() if _UNNAMED & set(e.classes)]:
        del entities[iri]  # a report of a stage is named after its project, and never stands for it
    names = {k: kept for k, v in names.items() if (kept := {i for i in v if i in entities})}
    for row in rows(_PARENTS):
        s = row["s"]
        if isinstance(s, ox.NamedNode) and s.value in entities:
            if row["parentLabel"] is not None:
                entities[s.value].parent = str(row["parentLabel"].value)
            if row["governs"] is not None:
                entities[s.value].governs = str(row["governs"].value)
    _add_short_names(entities, names)
    return EntityIndex(entities=entities, names=names)


def _add_short_names(entities: dict[str, Entity], names: dict[str, set[str]]) -> None:
    """Add 辰溪 for 辰溪县 and Chenxi for Chenxi County, but only where no other entity could be meant."""
    derived: dict[str, set[str]] = {}
    for e in entities.values():
        if not e.is_place:
            continue
        for text in (e.label_zh, *e.aliases):
            for suffix in _CJK_SUFFIXES:
                if text.endswith(suffix) and len(text) - len(suffix) >= 2:
                    derived.setdefault(normalize(text[: -len(suffix)]), set()).add(e.iri)
                    break
        en = normalize(e.label_en)
        for suffix in _EN_SUFFIXES:
            if en.endswith(suffix) and len(en) - len(suffix) >= 3:
                derived.setdefault(en[: -len(suffix)], set()).add(e.iri)
    for key, iris in derived.items():
        if len(iris) == 1 and key not in names:
            names[key] = set(iris)


def find_mentions(index: EntityIndex, text: str) -> list[Mention]:
    """The names of entities in *text*, longest first, without overlaps, in text order.

    Latin-script names must stand as whole words (``Changsha`` is not found inside ``Changshan``).
    """
    norm = normalize(text)
    taken = [False] * len(norm)
    found: list[Mention] = []
    for name in sorted(index.names, key=len, reverse=True):
        if len(name) < 2 or (_LATIN.search(name) and len(name) < 3):
            continue
        start = norm.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(taken[start:end]) and _word_ok(norm, start, end, name):
                for i in range(start, end):
                    taken[i] = True
                found.append(Mention(start, end, name, tuple(sorted(index.names[name]))))
            start = norm.find(name, start + 1)
    return sorted(found, key=lambda m: m.start)


def _word_ok(text: str, start: int, end: int, name: str) -> bool:
    if _LATIN.match(name[0]) and start > 0 and _LATIN.match(text[start - 1]):
        return False
    return not (_LATIN.match(name[-1]) and end < len(text) and _LATIN.match(text[end]))


def resolve(index: EntityIndex, name: str, *, places_only: bool = False) -> Entity:
    """The one entity called *name* (a label, an alias, a prefixed name like ``zr:…`` or a full IRI).

    Raises :class:`~kg.errors.UnknownEntity` with close names, or :class:`~kg.errors.AmbiguousEntity`
    with the candidates.
    """
    name = name.strip()
    iri = _as_iri(name)
    if iri is not None:
        if iri in index.entities:
            return index.entities[iri]
        raise UnknownEntity(f"No entity {name!r} in the store. Check the IRI, or give a label such as 长沙市.")
    candidates = index.lookup(name)
    if places_only:
        candidates = [e for e in candidates if e.is_place]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        close = suggest(index, name)
        hint = f" Did you mean: {', '.join(close)}?" if close else " Try a Chinese or English name from the data."
        raise UnknownEntity(f"No {'place' if places_only else 'entity'} is called {name!r}.{hint}")
    listing = "; ".join(e.describe() for e in candidates)
    raise AmbiguousEntity(
        f"{name!r} names {len(candidates)} entities: {listing}. Give the full name or the IRI.",
        [(e.iri, e.label, e.class_label) for e in candidates],
    )


def _as_iri(name: str) -> str | None:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    if re.match(r"^https?://", name):
        return name
    m = re.match(r"^([A-Za-z][\w-]*):(\S+)$", name)
    if m and m.group(1) in PREFIXES:
        return PREFIXES[m.group(1)] + m.group(2)
    return None


def suggest(index: EntityIndex, name: str, n: int = 5) -> list[str]:
    """Labels that look like *name*: sharing characters for Chinese, close spelling for English."""
    import difflib

    key = normalize(name)
    labels = {normalize(e.label): e.label for e in index.entities.values()}
    close = difflib.get_close_matches(key, list(labels), n=n, cutoff=0.5)
    if len(close) < n:
        chars = set(key)
        scored = sorted(((len(chars & set(k)) / max(len(chars | set(k)), 1), k) for k in labels), reverse=True)
        close += [k for s, k in scored if s >= 0.3 and k not in close][: n - len(close)]
    return [labels[k] for k in close]


def within(store: AnyStore, iri: str) -> set[str]:
    """*iri* and every place, sub-card or narrower chain inside it (containedInPlace, containsPlace, broader)."""
    rows = select(store, _WITHIN_REGION, {"root": ox.NamedNode(iri)}).rows
    inside = {iri} | {str(r["x"].value) for r in rows if r["x"] is not None}
    narrower: dict[str, set[str]] = {}
    for r in select(store, _BROADER).rows:
        if r["x"] is not None and r["y"] is not None:
            narrower.setdefault(str(r["y"].value), set()).add(str(r["x"].value))
    todo = list(inside)
    while todo:  # sub-cards and narrower chains, and what lies inside them
        for child in narrower.get(todo.pop(), ()):
            if child not in inside:
                inside.add(child)
                todo.append(child)
    return inside
