"""What extraction finds: one :class:`Finding` per candidate fact, tied to its sentence and offsets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from kg.sources.sentences import Span

if TYPE_CHECKING:
    from kg.ingest.gazetteer import Mention, Place
    from kg.ingest.text import Article

#: The kinds of finding, in the order the review summary lists them.
KINDS = ("region", "place", "organisation", "person", "appointment", "group", "amount", "metric", "total",
         "project", "stage", "event", "policy", "review")


@dataclass
class Finding:
    """A candidate fact: what it is, its label, and where the text says it."""

    kind: str
    label: str
    sentence: Span
    start: int
    end: int
    cls: str = ""  #: local name of the class in the zs: ontology (or "Person", "Event" for schema:)
    key: str = ""  #: identity inside one run: findings with the same kind and key are one entity
    iri: str = ""  #: set when the entity is known, or minted by the draft writer
    attrs: dict[str, object] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  #: every surface form seen
    note: str = ""


@dataclass
class Extraction:
    """What one article yielded."""

    article: Article
    today: date | None
    findings: list[Finding] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    home: Place | None = None  #: the article's own place (its headline's, else its first acting place)
    #: What the draft's rules compute once per article and ask for per fact (the names in each sentence, the
    #: period a sentence announces), keyed by the rule; never part of what the extraction says.
    memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)
