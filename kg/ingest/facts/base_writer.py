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


#: Below this confidence a candidate goes to review instead of into the facts (``kg ingest --min-confidence``).
MIN_CONFIDENCE = 0.7

#: The rule and confidence of a candidate whose finder states none, by (finding kind, class). These finders
#: read one fixed pattern each (a money phrase, a name ending in 商会, 人民政府 of a known place); the figures are
#: priors set by hand, not measured, ranking the patterns by how often a reviewer should expect them to be wrong
#: (a finder that can tell a weak reading from a strong one sets its own confidence, as the amounts do).
PRIORS: dict[tuple[str, str], tuple[str, float]] = {
    ("amount", "MonetaryAmount"): ("money-phrase", 0.95),
    ("organisation", "Government"): ("government-of-place", 0.95),
    ("organisation", "ChamberOfCommerce"): ("chamber-name", 0.9),
    ("organisation", "GovernmentUnit"): ("unit-name", 0.85),
    ("organisation", "ServiceCentre"): ("unit-name", 0.85),
    ("organisation", "Enterprise"): ("enterprise-name", 0.8),
    ("organisation", "MediaOrganization"): ("byline", 0.9),
    ("person", "Person"): ("person-name", 0.85),
    ("event", "PromotionEvent"): ("event-name", 0.8),
    ("policy", "PolicyDocument"): ("policy-title", 0.85),
    ("policy", "PlanningDocument"): ("policy-title", 0.85),
}
#: A candidate of a kind and class :data:`PRIORS` does not name.
DEFAULT_PRIOR = ("pattern", 0.75)


def rule_and_confidence(f: Finding) -> tuple[str, float]:
    """The rule that made *f* and its confidence: the finder's own, else the prior of its kind and class.

    A confidence that is not a number counts as 0 (such a candidate goes to review)."""
    rule, prior = PRIORS.get((f.kind, f.cls), DEFAULT_PRIOR)
    conf = f.attrs.get("confidence", prior)
    found = f.attrs.get("rule")
    return (found if isinstance(found, str) and found else rule,
            float(conf) if isinstance(conf, int | float) and not isinstance(conf, bool) else 0.0)


#: Resolves a linked finding (a government, a person) to its IRI, writing it first; None when it cannot be.
Get = Callable[[Finding], URIRef | None]
#: Writes one finding as the fact node *iri* derived from sentence *s0*; False sends it to review instead.
Writer = Callable[["Draft", Extraction, Finding, URIRef, URIRef, Get, object], bool]
