"""Entity resolution against the existing graph: a known place or organisation keeps its IRI.

The graph is read from ``data/facts/`` (always) and from the store (when one exists): every ``rdfs:label``,
``skos:prefLabel`` and ``skos:altLabel`` in Chinese becomes a name; a name found in a new article resolves to
the entity that already carries it. Names are compared after simplification (traditional → simplified) and
with quotes and book-title marks removed, so 《长沙市…办法》 and 长沙市…办法 are one name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError
from kg.ingest.gazetteer import Gazetteer, Place, load_gazetteer
from kg.ingest.text import simplify
from kg.ingest.vocabulary import ReviewedTerm, load_terms
from kg.namespaces import ORG, SCHEMA, SKOS, ZS
from kg.paths import Paths
from kg.store.rdfio import FORMATS, parse_file

RDF_TYPE_IRI = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_NAME_PROPS = {_RDFS_LABEL, f"{SKOS}altLabel", f"{SKOS}prefLabel"}
_PLACE_CLASSES = {"AdministrativeDivision", "ProvinceLevelDivision", "PrefectureLevelDivision",
                  "CountyLevelDivision", "Township", "Country", "EconomicRegion", "WorldRegion",
                  "DevelopmentZone", "Port"}
_STRIP = re.compile(r"[《》“”\"'‘’「」()()\s]")


def norm(name: str) -> str:
    """The form names are compared in."""
    return _STRIP.sub("", simplify(name))


@dataclass
class KnownGraph:
    """What the existing graph knows: names → IRIs, classes, and governments by region."""

    names: dict[str, list[str]] = field(default_factory=dict)  #: normalised name → IRIs
    labels: dict[str, str] = field(default_factory=dict)  #: IRI → Chinese label
    alt: dict[str, set[str]] = field(default_factory=dict)  #: IRI → every Chinese name
    types: dict[str, set[str]] = field(default_factory=dict)  #: IRI → class IRIs
    governments: dict[str, str] = field(default_factory=dict)  #: region IRI → government IRI
    subjects: set[str] = field(default_factory=set)  #: every IRI described
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    #: Indicator terms reviewers added (``data/vocab/indicators.ttl``), tried before the built-in ones.
    indicators: tuple[ReviewedTerm, ...] = ()

    def lookup(self, name: str, classes: set[str] | None = None) -> str | None:
        """The IRI of the known entity called *name* (of one of *classes*, if given), or None."""
        for iri in self.names.get(norm(name), []):
            if classes is None or self.types.get(iri, set()) & classes:
                return iri
        return None

    def has(self, iri: str) -> bool:
        """True when the graph already describes *iri*."""
        return iri in self.subjects


def load_known(paths: Paths) -> KnownGraph:
    """Read names, classes and governments from ``data/facts/`` and, if there is one, the store."""
    quads: list[ox.Quad] = []
    if paths.facts.is_dir():
        for fp in sorted(paths.facts.iterdir()):
            if fp.is_file() and fp.suffix.lower() in FORMATS:
                quads += parse_file(fp)
    quads += _store_quads(paths.store)
    known = KnownGraph()
    for q in quads:
        s, p, o = q.subject, q.predicate.value, q.object
        if not isinstance(s, ox.NamedNode):
            continue
        known.subjects.add(s.value)
        if p in _NAME_PROPS and isinstance(o, ox.Literal) and (o.language or "").startswith("zh"):
            known.names.setdefault(norm(o.value), [])
            if s.value not in known.names[norm(o.value)]:
                known.names[norm(o.value)].append(s.value)
            known.alt.setdefault(s.value, set()).add(o.value)
            if p == _RDFS_LABEL:
                known.labels.setdefault(s.value, o.value)
        elif p == RDF_TYPE_IRI and isinstance(o, ox.NamedNode):
            known.types.setdefault(s.value, set()).add(o.value)
        elif p == f"{ZS}governs" and isinstance(o, ox.NamedNode):
            known.governments.setdefault(o.value, s.value)
    known.gazetteer = load_gazetteer(_graph_places(known, quads))
    known.indicators = load_terms(paths)
    return known


def _store_quads(store: Path) -> list[ox.Quad]:
    from kg.store.generations import open_store

    try:
        st = open_store(store)
    except KGError:
        return []
    return list(st.quads_for_pattern(None, None, None, None))


def _graph_places(known: KnownGraph, quads: list[ox.Quad]) -> list[tuple[Place, list[str]]]:
    codes: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for q in quads:
        if not isinstance(q.subject, ox.NamedNode):
            continue
        if q.predicate.value == f"{ZS}adminCode" and isinstance(q.object, ox.Literal):
            codes[q.subject.value] = q.object.value
        elif q.predicate.value == f"{SCHEMA}containsPlace" and isinstance(q.object, ox.NamedNode):
            members.setdefault(q.subject.value, []).append(q.object.value)
    out = []
    for iri, classes in known.types.items():
        local = {c.rsplit("#", 1)[-1] for c in classes if c.startswith(str(ZS))}
        kinds = local & _PLACE_CLASSES
        if not kinds or iri not in known.labels:
            continue
        place = Place(iri, known.labels[iri], sorted(kinds)[0], codes.get(iri, ""),
                      members=tuple(members.get(iri, ())))
        out.append((place, sorted(known.alt.get(iri, set()))))
    return out


ORGANISATION_CLASSES = {f"{ZS}{c}" for c in ("Government", "GovernmentUnit", "TaskForce", "ChamberOfCommerce",
                                              "LiaisonStation", "ServiceCentre", "Enterprise", "University",
                                              "ResearchInstitute", "MediaOrganization")} | {f"{ORG}Organization"}
