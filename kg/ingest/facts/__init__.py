"""One module per kind of relation fact: what it reads out of a draft for ``kg eval`` (its gold matcher) and,
for the kinds moved here, its finder.

Adding a relation type means adding one module with a :class:`~kg.ingest.facts.base.Relation` and listing it
in :data:`RELATIONS`; :mod:`kg.ingest.evaluate` scores every listed relation against the gold's ``relations``.
"""

from kg.ingest.facts.amounts import AMOUNT_COUNT, AMOUNT_MEASURE, AMOUNT_PLACE
from kg.ingest.facts.base import DraftView, Relation
from kg.ingest.facts.chambers import CHAMBER
from kg.ingest.facts.people import APPOINTMENT
from kg.ingest.facts.taskforces import TASKFORCE_STATION, TASKFORCE_TARGET

#: Every relation ``kg eval`` scores, in the order its table lists them.
RELATIONS: tuple[Relation, ...] = (AMOUNT_PLACE, AMOUNT_MEASURE, AMOUNT_COUNT, CHAMBER, APPOINTMENT,
                                   TASKFORCE_STATION, TASKFORCE_TARGET)

__all__ = ["RELATIONS", "DraftView", "Relation"]
