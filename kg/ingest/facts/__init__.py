"""One module per kind of fact: its finder, its writer and its gold matcher (what it reads out of a draft for
``kg eval``).

Adding a fact type means adding one module with a :class:`~kg.ingest.facts.base.FactType` and listing it in
:data:`FACT_TYPES`: the draft writer dispatches the finding kinds it names to its writers, and
:mod:`kg.ingest.evaluate` scores every relation it lists against the gold's ``relations``.
"""

from kg.ingest.facts import amounts, chambers, people, stages, taskforces
from kg.ingest.facts.base import DraftView, FactType, Relation
from kg.ingest.facts.base_writer import Writer

#: Every fact type, in the order ``kg eval`` lists their relations.
FACT_TYPES: tuple[FactType, ...] = (amounts.FACT, chambers.FACT, people.FACT, taskforces.FACT, stages.FACT)
#: Finding kind → the writer of the fact type that makes it.
WRITERS: dict[str, Writer] = {kind: w for t in FACT_TYPES for kind, w in t.writers.items()}
#: Every relation ``kg eval`` scores.
RELATIONS: tuple[Relation, ...] = tuple(r for t in FACT_TYPES for r in t.relations)

__all__ = ["FACT_TYPES", "RELATIONS", "WRITERS", "DraftView", "FactType", "Relation"]
