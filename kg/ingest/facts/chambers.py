"""Chambers of commerce: split into the region that hosts them and the region their members come from."""

from __future__ import annotations

from kg.ingest.facts.base import DraftView, FactType, Item, Relation, place_is
from kg.ingest.resolve import norm
from kg.namespaces import ZS


def read(v: DraftView) -> list[Item]:
    """(names, host, origin) for every chamber of the source."""
    out: list[Item] = []
    for c in v.instances(ZS.ChamberOfCommerce):
        for h in v.g.objects(c, ZS.hostRegion):
            for o in v.g.objects(c, ZS.originRegion):
                out.append({"name": v.names(c), "host": v.place_ids(h), "origin": v.place_ids(o)})
    return out


CHAMBER = Relation(
    "chamber", read,
    lambda d, g: norm(g["name"]) in d["name"] and place_is(d["host"], g["host"])
    and place_is(d["origin"], g["origin"]),
    "a chamber's name, host region and origin region")


#: Chambers are found with the other organisations (kg.ingest.orgs: their names are read right to left from
#: 商会) and written as organisations; this module gives their relation.
FACT = FactType("chambers", None, {}, (CHAMBER,))
