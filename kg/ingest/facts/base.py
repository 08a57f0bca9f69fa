"""What every relation module shares: a read-only view of a draft (with the project's graph for names) and
the shape of a relation type."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import rdflib
from rdflib import RDF, RDFS, URIRef

from kg.ingest.resolve import norm
from kg.namespaces import PROV, SCHEMA, SKOS, ZR, ZS, source_iri

#: One relation as the gold writes it: a JSON object of strings and integers.
Item = dict[str, Any]


class DraftView:
    """A draft graph, the project's graph beside it (for the names of known places), and one source."""

    def __init__(self, draft: rdflib.Graph, context: rdflib.Graph, source_id: str) -> None:
        self.g = draft
        self.context = context
        self.base = source_iri(source_id)

    def of_source(self, s: rdflib.term.Node) -> bool:
        """True when *s* is derived from a sentence of this view's source."""
        return any(str(o).startswith(self.base + "/") for o in self.g.objects(s, PROV.wasDerivedFrom))

    def instances(self, *classes: URIRef) -> Iterator[rdflib.term.Node]:
        """Subjects of the source typed with one of *classes*, in IRI order."""
        found: set[rdflib.term.Node] = set()
        for c in classes:
            found.update(s for s in self.g.subjects(RDF.type, c) if self.of_source(s))
        yield from sorted(found, key=str)

    def value(self, s: rdflib.term.Node, p: URIRef) -> rdflib.term.Node | None:
        """One object of *s p*, from the draft or else the project's graph."""
        v = self.g.value(s, p)
        return v if v is not None else self.context.value(s, p)

    def names(self, s: rdflib.term.Node) -> set[str]:
        """Every Chinese name of *s* (draft and project), normalised."""
        out = set()
        for graph in (self.g, self.context):
            for p in (RDFS.label, SKOS.altLabel, SKOS.prefLabel, SCHEMA.name):
                for o in graph.objects(s, p):
                    if isinstance(o, rdflib.Literal) and (o.language or "zh").startswith("zh"):
                        out.add(norm(str(o)))
        return out

    def place_ids(self, s: rdflib.term.Node) -> set[str]:
        """What a gold file may call a place: its six-digit code or any of its names."""
        ids = self.names(s)
        code = self.value(s, ZS.adminCode)
        if code is not None:
            ids.add(str(code))
        elif str(s).startswith(f"{ZR}region/"):
            ids.add(str(s).rsplit("/", 1)[-1])
        return ids

    def governed(self, gov: rdflib.term.Node) -> set[str]:
        """The place ids of the region a government governs."""
        region = self.value(gov, ZS.governs)
        return self.place_ids(region) if region is not None else set()


@dataclass(frozen=True)
class Relation:
    """A relation type: its name in the gold file, how to read it out of a draft, how a found item matches.

    ``read`` gives the draft's items, each a dict whose place-valued keys hold *sets* of place ids;
    ``same(found, gold)`` says whether one found item is the gold item.
    """

    name: str
    read: Callable[[DraftView], list[Item]]
    same: Callable[[Item, Item], bool]
    help: str = ""


def place_is(ids: object, gold: object) -> bool:
    """True when the gold's place (a code or a name) is one of a found place's ids."""
    return isinstance(ids, set) and norm(str(gold)) in ids


@dataclass(frozen=True)
class FactType:
    """One kind of fact in one module: its finder, the writers of the finding kinds it makes, its relations."""

    name: str
    finder: Callable[..., list[Any]] | None
    writers: dict[str, Any]  #: finding kind → :data:`kg.ingest.facts.base_writer.Writer`
    relations: tuple[Relation, ...]
