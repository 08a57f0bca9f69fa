"""Amounts and what they measure: the place an amount belongs to, the kind of measure, the project count.

The draft ties an amount to the fact it measures (``zs:investment`` of a ``zs:SigningTotal`` or a
``zs:InvestmentProject``, ``zs:maxReward`` of a policy); the place is that fact's ``zs:refArea`` or
``schema:location``, the count its ``zs:projectCount``, and the measure the amount's ``zs:measure``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import rdflib
from rdflib import XSD, Literal, URIRef

from kg.ingest.clauses import Owner, clause_start, owner_at, spread, unpaired, value_lists
from kg.ingest.facts.base import DraftView, FactType, Item, Relation, place_is
from kg.ingest.facts.base_writer import Draft, Get
from kg.ingest.gazetteer import Place
from kg.ingest.model import Extraction, Finding
from kg.ingest.money import Amount, measure_of
from kg.ingest.orgs import left_name
from kg.ingest.periods import read_periods, same_period, write_period
from kg.namespaces import PROV, SCHEMA, ZS
from kg.sources.sentences import Span


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
    return [{"value": n, "count": int(str(c))} for a, n in _amounts(v) for s in _subjects(v, a)
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
AMOUNT_PERIOD = Relation("amount_period", read_periods, same_period,
                         "a region's total and the period it is about (the local name of its zs:refPeriod)")


# -- finder ----------------------------------------------------------------------------------------------------

_COUNT = re.compile(r"项目(?P<a>[0-9]{1,4})个|(?<![0-9.])(?P<b>[0-9]{1,4})个(?:[\u4e00-\u9fff]{0,4}?)项目")
_NO_COUNT = {"FundsInPlace", "RewardCap"}
_REWARD_AFTER = re.compile(r"的?(?:一次性|资金|财政)?(?:奖励|补助|补贴|奖补)")
_PLACE_CONFIDENCE = {"clause-named": 0.95, "clause-zone": 0.95, "clause-deictic": 0.9, "sentence-named": 0.85,
                     "sentence-zone": 0.85, "sentence-deictic": 0.85, "article": 0.8,
                     "respectively": 0.9,  # paired one by one with the places listed before 分别
                     "respectively-unpaired": 0.3}  # listed after 分别, but the places do not pair: for review
_PROJECT_BEFORE = re.compile(r"(?P<name>[^,，。;；、的]{2,30}?项目)$")
_PROJECT_AFTER = re.compile(r"^的(?P<name>[^,，。;；]{2,30}?项目)")
_NOT_A_NAME = re.compile(r"^(?:[0-9一二两三四五六七八九十]+个|这|该|此|各|其|重点|重大|签约|意向|合作|引进)")


#: 项目分别为18个、11个、9个 / 签约项目21个、8个、14个: counts listed one per place, like the amounts after them.
_COUNT_LIST = re.compile(r"项目(?:数)?(?:分别)?(?:为|达|是)?(?P<items>[0-9]{1,4}个(?:[、和及与][0-9]{1,4}个)+)")


def _count_lists(t: str, starts: list[int], ends: list[int]) -> dict[int, tuple[int, int]]:
    """Index of an amount → (project count, its offset in *t*), where a list of counts in the amounts' clause
    has as many items as the list of amounts after it (the two lists are read in the same order)."""
    out: dict[int, tuple[int, int]] = {}
    for i, j in value_lists(t, starts, ends):
        lists = list(_COUNT_LIST.finditer(t, clause_start(t, starts[i]), starts[i]))
        if lists:
            items = [(int(x[1]), lists[-1].start("items") + x.start()) for x in
                     re.finditer(r"([0-9]{1,4})个", lists[-1]["items"])]
            if len(items) == j - i + 1:
                out.update({i + k: item for k, item in enumerate(items)})
    return out


def find_investments(t: str, base: int, sent: Span, amounts: list[Amount], owners: list[Owner],
                     fallback: Place | None) -> list[Finding]:
    """The fact every amount of one sentence measures: a signing total (with its clause's project count) or a
    named project, at its clause's place, with the kind of measure its phrase names.

    Returns one finding per amount: ``total`` or ``project`` when it has a place, ``amount`` (with a review
    note) when it cannot be placed or is a reward cap, which belongs to a policy, not to a place.
    """
    out: list[Finding] = []
    starts, ends = [a.start - base for a in amounts], [a.end - base for a in amounts]
    paired = spread(t, starts, ends, owners, base)
    counts_of = _count_lists(t, starts, ends)
    odd = unpaired(t, starts, ends, owners, base)
    lists = value_lists(t, starts, ends)
    for i, a in enumerate(amounts):
        s = a.start - base
        cc = max(t.rfind(c, 0, s) for c in ",，;；。") + 1
        found = measure_of(t[cc:s])
        if (found is None or found[0] == "InvestmentAmount") and _REWARD_AFTER.match(t, a.end - base):
            found = ("RewardCap", "")  # 给予最高50万元的一次性奖励: the reward is named after the amount
        measure, phrase = found if found else ("InvestmentAmount", "")
        confidence = 0.95 if found else 0.6
        attrs: dict[str, object] = {"amount": a, "measure": measure, "rule": f"measure:{phrase or 'default'}"}
        if measure == "RewardCap":
            out.append(Finding("amount", a.surface, sent, a.start, a.end, cls="MonetaryAmount", key=f"{a.start}",
                               attrs={**attrs, "confidence": confidence}))
            continue
        place, rule = (paired[i], "respectively") if i in paired else owner_at(t, base, a.start, owners, fallback)
        if i in odd:
            rule = "respectively-unpaired"  # listed after 分别 but not pairable: not the clause's last place's
        confidence = min(confidence, _PLACE_CONFIDENCE.get(rule, 0.5)) if place else 0.0
        attrs.update(place=place, rule=f"{attrs['rule']} place:{rule}", confidence=confidence)
        if measure not in _NO_COUNT:
            cs = clause_start(t, s)
            prev_end = max([b.end - base for b in amounts[:i]] + [cs])
            counts = [m for m in _COUNT.finditer(t, prev_end, s)]
            if i in counts_of:
                attrs["count"], attrs["count_at"] = counts_of[i][0], base + counts_of[i][1]
            elif counts:
                attrs["count"] = int(counts[-1]["a"] or counts[-1]["b"])
                attrs["count_at"] = base + counts[-1].start("a" if counts[-1]["a"] else "b")
        head = t[cc:cc + t[cc:s].rfind(phrase)] if phrase else t[cc:s]
        if phrase.startswith("项目"):
            head += "项目"  # 高端膜材料项目总投资: the project's name ends in the phrase
        project = _PROJECT_BEFORE.search(head)
        after = _PROJECT_AFTER.match(t, a.end - base)
        name = (project["name"] if project else "") or (after["name"] if after and phrase else "")
        name = name[left_name(name, len(name), 30):] if name else ""
        if name and not _NOT_A_NAME.match(name) and len(name) >= 4:
            ps = t.find(name, cc if project else a.end - base)
            out.append(Finding("project", name, sent, base + ps, base + ps + len(name), cls="InvestmentProject",
                               key=name, attrs=attrs))
            continue
        label = t[cc:a.end - base]
        first = next((f for f, last in lists if f < i <= last), None)
        if rule == "respectively" and isinstance(place, Place):
            label = f"{place.label}{phrase}{a.surface}"  # not 签约资金分别为33亿元、12.4亿元 for the second value
        elif first is not None:
            label = f"{t[cc:starts[first]]}…{a.surface}"  # 两个项目总投资分别为…9亿元: the earlier values elided
        out.append(Finding("total", label, sent, a.start, a.end, cls="SigningTotal", key=f"{sent.index}:{a.start}",
                           attrs=attrs))
    return out


# -- writer ----------------------------------------------------------------------------------------------------

def _amount_of(w: Draft, x: Extraction, f: Finding, s0: URIRef) -> URIRef | None:
    """The amount node a total or a project measures (the same IRI as the amount's own finding)."""
    a = f.attrs.get("amount")
    if not isinstance(a, Amount):
        return None
    amount = w.mint(x, Finding("amount", a.surface, f.sentence, a.start, a.end), scoped=True)
    w.amount(amount, a, x.article.text[a.start:a.end], s0, f.attrs.get("measure"))
    return amount


def write_total(w: Draft, x: Extraction, f: Finding, iri: URIRef, s0: URIRef, get: Get,
                topic: object) -> bool:
    """A ``zs:SigningTotal``: its clause's place, its amount (with the measure) and its project count."""
    del get
    where = f.attrs.get("place", topic)
    if not isinstance(where, Place):
        w.review(x, f, "no region for zs:refArea")
        return False
    w.fact(iri, ZS.SigningTotal, f.label, s0)
    w.g.add((iri, ZS.refArea, w.region(where, s0)))
    amount = _amount_of(w, x, f, s0)
    if amount is not None:
        w.g.add((iri, ZS.investment, amount))
    if f.attrs.get("count"):
        w.g.add((iri, ZS.projectCount, Literal(int(str(f.attrs["count"])), datatype=XSD.integer)))
    if f.attrs.get("stage"):
        w.g.add((iri, ZS.stage, ZS[str(f.attrs["stage"])]))
    write_period(w, x, f, iri, s0)  # 2023年, 今年上半年, 2023年以来 …: what repeats and conflicts compare by
    return True


def write_project(w: Draft, x: Extraction, f: Finding, iri: URIRef, s0: URIRef, get: Get,
                  topic: object) -> bool:
    """A ``zs:InvestmentProject`` at its clause's place (else a zone of its sentence, else the topic)."""
    del get
    placed = f.attrs.get("place")
    where = w.region(placed, s0) if isinstance(placed, Place) else w.project_place(x, f, topic)
    if where is None:
        w.review(x, f, "no place for schema:location")
        return False
    w.fact(iri, ZS.InvestmentProject, f.label, s0)
    w.g.add((iri, SCHEMA.location, where))
    amount = _amount_of(w, x, f, s0)
    if amount is not None:
        w.g.add((iri, ZS.investment, amount))
    return True  # its stages are milestones (kg.ingest.facts.stages), one per report, never zs:stage on it


def write_restated_amount(w: Draft, x: Extraction, f: Finding, known: URIRef, s0: URIRef) -> bool:
    """A known project's amount as this source gives it: a second figure of the project, from this sentence.

    The project keeps its place and label; its figures from several sources are compared by the figure groups
    (:mod:`kg.store.figures`): a repeat is counted once, a different value is a conflict, never summed.
    """
    amount = _amount_of(w, x, f, s0)
    if amount is None:
        return False
    w.g.add((known, ZS.investment, amount))
    w.g.add((known, PROV.wasDerivedFrom, s0))  # this source says so too: the rollups count its sources
    return True


FACT = FactType("amounts", find_investments, {"total": write_total, "project": write_project},
                (AMOUNT_PLACE, AMOUNT_MEASURE, AMOUNT_COUNT, AMOUNT_PERIOD))
