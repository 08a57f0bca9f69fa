"""The signature every fact type's writer has (kept apart from :mod:`kg.ingest.facts.base` so that the
modules that only read relations do not need the draft writer's types)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import rdflib
from rdflib import URIRef

from kg.ingest.gazetteer import Place
from kg.ingest.model import Extraction, Finding
from kg.ingest.money import Amount


class Triples(Protocol):
    """Where a writer adds its triples."""

    def add(self, t: tuple[URIRef, URIRef, rdflib.term.Node]) -> None: ...


class Draft(Protocol):
    """What a fact type's writer may use of the draft being written (:class:`kg.ingest.draft.DraftWriter` is one):
    its triples, and the helpers that mint, describe and review, so that a fact module never imports the writer
    that calls it."""

    @property
    def g(self) -> Triples: ...

    def region(self, place: Place, sent: URIRef | None = None) -> URIRef: ...

    def fact(self, iri: URIRef, cls: URIRef, label: str, sent: URIRef) -> bool: ...

    def mint(self, x: Extraction, f: Finding, scoped: bool) -> URIRef: ...

    def gov(self, get: Callable[[Finding], URIRef | None], f: Finding, place: Place) -> URIRef | None: ...

    def review(self, x: Extraction, f: Finding, why: str) -> None: ...

    def amount(self, iri: URIRef, a: Amount, surface: str, sent: URIRef, measure: object = None) -> None: ...

    def project_place(self, x: Extraction, f: Finding, topic: object) -> URIRef | None: ...

    def known_project(self, name: str) -> URIRef | None: ...


#: Resolves a linked finding (a government, a person) to its IRI, writing it first; None when it cannot be.
Get = Callable[[Finding], URIRef | None]
#: Writes one finding as the fact node *iri* derived from sentence *s0*; False sends it to review instead.
Writer = Callable[["Draft", Extraction, Finding, URIRef, URIRef, Get, object], bool]
