"""Task forces and teams sent out to attract investment: where they are stationed and whom they target.

The owner is the government a unit belongs to (``org:unitOf``) or that set it up (``zs:establishedBy``).
"""

from __future__ import annotations

from collections.abc import Iterator

import rdflib
from rdflib import URIRef

from kg.ingest.facts.base import DraftView, Item, Relation, place_is
from kg.namespaces import ORG, ZS


def _units(v: DraftView, p: URIRef) -> Iterator[tuple[set[str], rdflib.term.Node]]:
    for u in v.instances(ZS.TaskForce, ZS.GovernmentUnit, ZS.CountedGroup):
        owners = [*v.g.objects(u, ORG.unitOf), *v.g.objects(u, ZS.establishedBy)]
        for where in v.g.objects(u, p):
            for o in owners:
                yield v.governed(o), where


def read_stations(v: DraftView) -> list[Item]:
    """(owner, station) for every stationed unit."""
    return [{"owner": o, "station": v.place_ids(w)} for o, w in _units(v, ZS.stationedIn)]


def read_targets(v: DraftView) -> list[Item]:
    """(owner, target) for every unit or team with a target region."""
    return [{"owner": o, "target": v.place_ids(w)} for o, w in _units(v, ZS.targetRegion)]


TASKFORCE_STATION = Relation(
    "taskforce_station", read_stations,
    lambda d, g: place_is(d["owner"], g["owner"]) and place_is(d["station"], g["station"]),
    "a task force's owner region and where it is stationed")
TASKFORCE_TARGET = Relation(
    "taskforce_target", read_targets,
    lambda d, g: place_is(d["owner"], g["owner"]) and place_is(d["target"], g["target"]),
    "a task force's or team's owner region and a region it targets")
