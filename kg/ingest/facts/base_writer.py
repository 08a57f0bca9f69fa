"""The signature every fact type's writer has (kept apart from :mod:`kg.ingest.facts.base` so that the
modules that only read relations do not need the draft writer's types)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rdflib import URIRef

from kg.ingest.model import Finding

if TYPE_CHECKING:
    from kg.ingest.draft import DraftWriter
    from kg.ingest.extract import Extraction

#: Resolves a linked finding (a government, a person) to its IRI, writing it first; None when it cannot be.
Get = Callable[[Finding], URIRef | None]
#: Writes one finding as the fact node *iri* derived from sentence *s0*; False sends it to review instead.
Writer = Callable[["DraftWriter", "Extraction", Finding, URIRef, URIRef, Get, object], bool]
