"""What extraction finds: one :class:`Finding` per candidate fact, tied to its sentence and offsets."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.sources.sentences import Span

#: The kinds of finding, in the order the review summary lists them.
KINDS = ("region", "place", "organisation", "person", "appointment", "group", "amount", "metric", "total",
         "project", "event", "policy", "review")


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
