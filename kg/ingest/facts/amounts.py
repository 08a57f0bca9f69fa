"""Amounts and what they measure: the place an amount belongs to, the kind of measure, the project count.

The draft ties an amount to the fact it measures (``zs:investment`` of a ``zs:SigningTotal`` or a
``zs:InvestmentProject``, ``zs:maxReward`` of a policy); the place is that fact's ``zs:refArea`` or
``schema:location``, the count its ``zs:projectCount``, and the measure the amount's ``zs:measure``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import rdflib

from kg.ingest.facts.base import DraftView, Item, Relation, place_is
from kg.namespaces import SCHEMA, ZS


def _num(v: object) -> Decimal | None:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def _amounts(v: DraftView) -> list[tuple[rdflib.term.Node, Decimal]]:
    out = []
    for a in v.instances(SCHEMA.MonetaryAmount):
        n = _num(v.g.value(a, SCHEMA.value))
        if n is not None:
            out.append((a, n))
    return out


def _subjects(v: DraftView, a: rdflib.term.Node) -> list[rdflib.term.Node]:
    return sorted({*v.g.subjects(ZS.investment, a), *v.g.subjects(ZS.maxReward, a)}, key=str)


def read_places(v: DraftView) -> list[Item]:
    """(value, place) for every amount whose fact has a place."""
    out: list[Item] = []
    for a, n in _amounts(v):
        for s in _subjects(v, a):
            for p in (ZS.refArea, SCHEMA.location):
                for place in v.g.objects(s, p):
                    out.append({"value": n, "place": v.place_ids(place)})
    return out


def read_measures(v: DraftView) -> list[Item]:
    """(value, measure) for every amount."""
    return [{"value": n, "measure": str(m).rsplit("#", 1)[-1]}
            for a, n in _amounts(v) for m in v.g.objects(a, ZS.measure)]


def read_counts(v: DraftView) -> list[Item]:
    """(value, project count) for every amount whose fact counts its projects."""
    return [{"value": n, "count": int(c)} for a, n in _amounts(v) for s in _subjects(v, a)
            for c in v.g.objects(s, ZS.projectCount)]


AMOUNT_PLACE = Relation(
    "amount_place", read_places,
    lambda d, g: d["value"] == _num(g["value"]) and place_is(d["place"], g["place"]),
    "an amount and the place it belongs to (a code, or a zone's name)")
AMOUNT_MEASURE = Relation(
    "amount_measure", read_measures,
    lambda d, g: d["value"] == _num(g["value"]) and d["measure"] == g["measure"],
    "an amount and the kind of measure (zs:MoneyMeasure) it is")
AMOUNT_COUNT = Relation(
    "amount_count", read_counts,
    lambda d, g: d["value"] == _num(g["value"]) and d["count"] == int(g["count"]),
    "an amount and the number of projects it covers")
