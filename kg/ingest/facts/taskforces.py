"""Task forces and teams sent out to attract investment: where they are stationed and whom they target.

The owner is the government a unit belongs to (``org:unitOf``) or that set it up (``zs:establishedBy``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import rdflib
from rdflib import XSD, Literal, URIRef

from kg.ingest.clauses import Owner, Places, clause_start, owner_at
from kg.ingest.facts.base import DraftView, FactType, Item, Relation, place_is
from kg.ingest.facts.base_writer import Draft, Get
from kg.ingest.gazetteer import Mention, Place
from kg.ingest.model import Extraction, Finding
from kg.ingest.money import parse_number
from kg.ingest.orgs import stations
from kg.namespaces import ORG, SCHEMA, ZS
from kg.sources.sentences import Span


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


# -- finder ----------------------------------------------------------------------------------------------------

_STATIONED = re.compile(
    r"驻(?P<where>[\u4e00-\u9fff]{1,8}?)(?:(?P<n>[0-9]{1,3})个)?(?P<kind>招引|招商引资|招商)?(?P<work>工作)?"
    r"(?P<unit>专班|小分队|工作组|招商组|招商分队|联络处|办事处|联络站)")
_TEAMS = re.compile(
    r"(?P<n>[0-9]{1,3}|[一二两三四五六七八九十]{1,3})支(?P<what>[\u4e00-\u9fff]{0,6}?(?:队伍|小分队|招商队|专班|工作组|分队))"
    r"[,，]?(?:分别|先后)?(?:分赴|前往|赶赴|奔赴|赴|到|走进)")
_GOV_WORD = re.compile(r"(?:人民)?政府$")
#: 分别派驻上海、杭州和长沙 / 派驻东莞、佛山两地的招商小组: one unit stationed in each city listed.
_SENT_TO = re.compile(r"(?:分别)?(?:派驻|进驻|常驻|派往)(?:到)?")
#: 在杭州、宁波、苏州分别设立驻外招商工作站: one unit set up in each city listed.
_SET_UP_IN = re.compile(r"在")
_SET_UP = re.compile(r"(?:两地|三地|四地|各地)?(?:分别)?(?:设立|设置|建立|成立|组建|挂牌)了?(?P<mid>[^,，。;；]{0,8}?)"
                     r"(?P<unit>工作站|联络处|办事处|联络站|专班|招商组|小分队|工作组|招商小组)")
_UNIT = re.compile(r"小分队|招商小组|招商组|工作组|专班|招商队|分队|工作站|联络处|办事处|联络站")
_OFFICE_UNITS = ("联络处", "办事处", "联络站", "工作站")


def _owner(t: str, base: int, at: int, mentions: list[Mention], owners: list[Owner],
           fallback: Place | None, places: Places) -> Place | None:
    """The government's place a unit named at *at* belongs to: the place right before it (株洲市政府驻…),
    else its clause's owner, else the article's place; never the station city."""
    head = _GOV_WORD.sub("", t[:at])
    right_before = [m for m in mentions if m.end - base == len(head) and m.place is not None and m.place.code]
    if right_before:
        return right_before[-1].place
    return places.division(owner_at(t, base, base + at, owners, fallback)[0])


def _station(where: str, start: int, mentions: list[Mention], places: dict[str, Place]) -> Place | None:
    for m in mentions:
        if m.start == start and m.place is not None:
            return m.place  # a macro-region (长三角) is a station too: never split into its members
    found = stations(where, [], start, places)
    return found[0][0] if found else None


def _listed(t: str, base: int, pos: int, mentions: list[Mention]) -> tuple[list[Place], int]:
    """The places written as a list (A、B和C) from *pos* in *t*, and where the list ends."""
    found: list[Place] = []
    for x in sorted(mentions, key=lambda x: x.start):
        s = x.start - base
        if s < pos or x.place is None:
            continue
        if s - pos > 1 or (s > pos and t[pos] not in "、和及与"):
            break
        found.append(x.place)
        pos = x.end - base
    return found, pos


def _spread_units(t: str, base: int, sent: Span, mentions: list[Mention], owners: list[Owner],
                  fallback: Place | None, places: Places) -> list[Finding]:
    """Units sent to or set up in each of a list of cities (派驻深圳、东莞; 在杭州、宁波分别设立…工作站): one
    unit per city, owned by the place acting in the clause (the cities are stations, never owners)."""
    out: list[Finding] = []
    for m in [*_SENT_TO.finditer(t), *_SET_UP_IN.finditer(t)]:
        cities, end = _listed(t, base, m.end(), mentions)
        if not cities:
            continue
        if m.re is _SET_UP_IN:
            u = _SET_UP.match(t, end)
            if u is None or ("招商" not in u["mid"] + u["unit"] and "驻外" not in u["mid"]):
                continue
            unit, at = u["unit"], m.start()
        else:
            cs = clause_start(t, m.start())
            nearby = [*_UNIT.finditer(t, cs, m.start())][-1:] or [*_UNIT.finditer(t, end, len(t))][:1]
            if not nearby or re.search(r"[。;；]", t[end:nearby[0].start()]):
                continue
            unit, at = nearby[0].group(), min(m.start(), nearby[0].start())
        owner = _owner(t, base, at, mentions, owners, fallback, places)
        if owner is None:
            continue
        for city in cities:
            if city.iri == owner.iri or not (city.code or city.members):
                continue
            out.append(Finding("organisation", f"{owner.label}驻{city.label.removesuffix('市')}{unit}", sent,
                               base + m.start(), base + end,
                               cls="GovernmentUnit" if unit in _OFFICE_UNITS else "TaskForce",
                               key=f"tf:{owner.iri}:{city.iri}:{unit}",
                               attrs={"owner": owner, "station": city, "stations": [city], "rule": "spread-units",
                                      "confidence": 0.85}))
    return out


def find_taskforces(t: str, base: int, sent: Span, mentions: list[Mention], owners: list[Owner],
                    fallback: Place | None, government: Callable[[Place], Finding], places: Places) -> list[Finding]:
    """Stationed units (驻上海招引专班, 驻长三角小分队) and counted teams with their destinations
    (6支招商队伍前往上海、重庆…: one group, one target per destination). The owner is the government of the
    place acting in the clause, never the station city."""
    del government  # the draft writer makes the owner's government from the owner place
    out: list[Finding] = []
    for m in _STATIONED.finditer(t):
        owner = _owner(t, base, m.start(), mentions, owners, fallback, places)
        station = _station(m["where"], base + m.start("where"), mentions, places.gazetteer.places)
        if owner is None or station is None or owner.iri == station.iri:
            continue
        kind = f"{m['kind'] or ''}{m['work'] or ''}{m['unit']}"
        cities = [places.gazetteer.places[i] for i in station.members if i in places.gazetteer.places]
        if m["n"] and int(m["n"]) == len(cities) > 1:
            # 驻北上广深4个招引工作专班: four task forces, one stationed in each city.
            units = [(c, f"{owner.label}政府驻{c.label.removesuffix('市')}{kind}") for c in cities]
        else:
            units = [(station, f"{owner.label}驻{m['where']}{kind}")]
        office = m["unit"] in ("联络处", "办事处", "联络站")  # an office, not a task force: a unit stationed there
        for where, label in units:
            out.append(Finding("organisation", label, sent, base + m.start(), base + m.end(),
                               cls="GovernmentUnit" if office else "TaskForce",
                               key=f"tf:{owner.iri}:{where.iri}:{m['unit']}",
                               attrs={"owner": owner, "station": where, "stations": [where], "rule": "stationed",
                                      "confidence": 0.9}))
    for m in _TEAMS.finditer(t):
        owner = _owner(t, base, m.start(), mentions, owners, fallback, places)
        if owner is None:
            continue
        targets, pos = _listed(t, base, m.end(), mentions)
        if not targets:
            continue
        n = int(parse_number(m["n"]))
        out.append(Finding("group", f"{owner.label}{n}支{m['what']}", sent, base + m.start(), base + pos,
                           cls="CountedGroup", key=f"teams:{sent.index}:{m.start()}",
                           attrs={"count": n, "memberType": "TaskForce", "owner": owner, "targets": targets,
                                  "rule": "teams", "confidence": 0.9}))
    return out + _spread_units(t, base, sent, mentions, owners, fallback, places)


# -- writer ----------------------------------------------------------------------------------------------------

def write_group(w: Draft, x: Extraction, f: Finding, iri: URIRef, s0: URIRef, get: Get,
                topic: object) -> bool:
    """A ``zs:CountedGroup``: counted teams set up by the owner's government, one target per destination."""
    del x, topic
    owner = f.attrs.get("owner")
    gov = w.gov(get, f, owner) if isinstance(owner, Place) else None
    if isinstance(owner, Place) and gov is None:
        return False
    w.fact(iri, ZS.CountedGroup, f.label, s0)
    w.g.add((iri, ZS.memberCount, Literal(int(str(f.attrs["count"])), datatype=XSD.integer)))
    w.g.add((iri, ZS.qualifier, ZS.Exact))
    w.g.add((iri, ZS.memberType, ZS.TaskForce if f.attrs.get("memberType") == "TaskForce" else SCHEMA.Person))
    if gov is not None:
        w.g.add((iri, ZS.establishedBy, gov))
    targets = f.attrs.get("targets")
    for target in targets if isinstance(targets, list) else []:
        w.g.add((iri, ZS.targetRegion, w.region(target, s0)))
    return True


#: Stationed units are organisations (written with the others); counted teams are this module's own kind.
FACT = FactType("taskforces", find_taskforces, {"group": write_group}, (TASKFORCE_STATION, TASKFORCE_TARGET))
