"""Appointments of named people to investment-promotion roles (招商大使, 招商顾问 …) by a government."""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import RDF, XSD, Literal, URIRef

from kg.ingest.clauses import Owner, Places, owner_at
from kg.ingest.facts.base import DraftView, FactType, Item, Relation, place_is
from kg.ingest.facts.base_writer import Draft, Get
from kg.ingest.gazetteer import Mention, Place
from kg.ingest.model import Extraction, Finding
from kg.ingest.resolve import norm
from kg.namespaces import ORG, SCHEMA, ZS
from kg.sources.sentences import Span


def read(v: DraftView) -> list[Item]:
    """(person, role, appointing region) for every appointment of a named person."""
    out: list[Item] = []
    for ap in v.instances(ZS.Appointment):
        for m in v.g.objects(ap, ORG.member):
            if (m, RDF.type, SCHEMA.Person) not in v.g:
                continue  # a counted group of appointees is not a named person
            for r in v.g.objects(ap, ORG.role):
                for org in v.g.objects(ap, ORG.organization):
                    out.append({"person": v.names(m), "role": str(r).rsplit("#", 1)[-1], "by": v.governed(org)})
    return out


APPOINTMENT = Relation(
    "appointment", read,
    lambda d, g: norm(g["person"]) in d["person"] and d["role"] == g["role"] and place_is(d["by"], g["by"]),
    "a named appointee, the role and the appointing government's region")


# -- finder ----------------------------------------------------------------------------------------------------

#: Investment-promotion titles and the role (zs:InvestmentRoles) each stands for.
ROLE_WORDS = {"招商大使": "InvestmentAmbassador", "荣誉大使": "InvestmentAmbassador",
              "形象大使": "InvestmentAmbassador",
              "招商顾问": "InvestmentAdviser", "招商引资顾问": "InvestmentAdviser", "经济顾问": "InvestmentAdviser",
              "招商专员": "InvestmentCommissioner", "招商联络员": "InvestmentCommissioner"}
_ROLE = "|".join(sorted(ROLE_WORDS, key=len, reverse=True))
_NAME = r"[\u4e00-\u9fff]{2,3}"
_TITLE = r"(?:副会长|常务副会长|会长|秘书长|理事长|董事长|总经理|执行会长)"
_NAMES = rf"(?P<list>{_TITLE}?{_NAME}(?:、{_TITLE}?{_NAME}){{0,30}})"
#: 聘任A、B、C等8人为X招商大使; 聘请北京湘乡商会会长A为招商大使
_ENUMERATED = re.compile(
    rf"聘(?:任|请|用)了?(?:[^,，。;；、“”]{{0,20}}?{_TITLE})?{_NAMES}(?:等(?P<n>[0-9]{{1,3}}|[一二两三四五六七八九十]{{1,3}})(?:人|名|位))?为"
    rf"(?P<body>[^,，。;；“”\"]{{0,12}}?)[“\"]?(?P<role>{_ROLE})")
#: 温州市邵阳商会会长A、副会长B受聘为邵东市招商顾问
_ACCEPTED = re.compile(rf"{_NAMES}(?:受聘|获聘|被聘)(?:为|担任)(?P<body>[^,，。;；“”\"]{{0,12}}?)"
                       rf"[“\"]?(?P<role>{_ROLE})")
#: One appointee of a list, with an organisation and a title before the name (广州市永州商会会长A).
_ITEM = rf"(?:[^,，。;；、“”\"]{{0,20}}?{_TITLE})?{_NAME}"
_COUNTED_BY = r"(?:等?(?P<n>[0-9]{1,3}|[一二两三四五六七八九十]{1,3})(?:人|名|位))"
#: 为A、B等12名“招商大使”颁发聘书 (the role before 颁发) and 向X商会会长A、B颁发“招商顾问”聘书 (after it).
_AWARDED = re.compile(
    rf"(?:为|向|给)(?P<list>{_ITEM}(?:、{_ITEM}){{0,30}}){_COUNTED_BY}?(?:[“\"](?P<role>{_ROLE})[”\"]|(?P<plain>{_ROLE}))?"
    rf"(?:颁发|颁授|授予|发放)了?(?:[“\"](?P<role2>{_ROLE})[”\"]|(?P<plain2>{_ROLE}))?(?:聘书|证书)")
#: Words that follow a quoted title without being a name (“招商大使”聘书).
_NOT_NAMES = {"聘书", "证书", "称号", "牌匾", "荣誉", "颁发", "聘任", "聘请"}
#: “招商顾问”A、B,“荣誉大使”C
_TITLED = re.compile(rf"(?P<batch>首批)?[“\"](?P<role>{_ROLE})[”\"]{_NAMES}(?=[,，。;;(（和等]|$)")


def find_appointments(t: str, base: int, sent: Span, mentions: list[Mention], owners: list[Owner],
                      fallback: Place | None, government: Callable[[Place], Finding],
                      places: Places) -> list[Finding]:
    """One appointment per named appointee, with the role and the appointing government: the place named
    in the title (为资兴市招商大使), else the clause's acting place, else the article's."""
    out: list[Finding] = []
    for m in [*_ENUMERATED.finditer(t), *_ACCEPTED.finditer(t), *_TITLED.finditer(t), *_AWARDED.finditer(t)]:
        groups = m.groupdict()
        role_word = groups.get("role") or groups.get("plain") or groups.get("role2") or groups.get("plain2")
        if role_word is None:
            continue  # 为A颁发聘书 names no role
        body = groups.get("body") or ""
        named = [x.place for x in mentions if x.place is not None and x.place.code
                 and m.start("role") - len(body) <= x.start - base < m.start("role")] if body else []
        where = named[-1] if named else places.division(owner_at(t, base, base + m.start(), owners, fallback)[0])
        if where is None:
            continue
        role = ROLE_WORDS[role_word]
        batch = "首批" if "首批" in t[max(0, m.start() - 8):m.end()] else ""
        pos = m.start("list")
        for item in m["list"].split("、"):
            title = [*re.finditer(_TITLE, item)][-1:] if m.re is _AWARDED else [*filter(None, [re.match(_TITLE, item)])]
            name = item[title[0].end():] if title else item
            pos += title[0].end() if title else 0
            if name in _NOT_NAMES:
                pos += len(name) + 1
                continue
            person = Finding("person", name, sent, base + pos, base + pos + len(name), cls="Person", key=name,
                             attrs={"rule": "appointee"})
            out.append(person)
            # at the appointee's name: one appointment node per person (its IRI is minted from its offset)
            out.append(Finding("appointment", f"{name}受聘{where.label}{batch}{role_word}", sent, person.start,
                               person.end, cls="Appointment", key=f"ap:{name}:{role}:{where.iri}",
                               attrs={"member": person, "org": government(where), "role": role, "batch": batch,
                                      "rule": {_ENUMERATED: "enumerated", _ACCEPTED: "accepted",
                                               _AWARDED: "awarded"}.get(m.re, "titled"),
                                      "confidence": 0.9}))
            pos += len(name) + 1
    return out


# -- writer ----------------------------------------------------------------------------------------------------

def write_appointment(w: Draft, x: Extraction, f: Finding, iri: URIRef, s0: URIRef, get: Get,
                      topic: object) -> bool:
    """A ``zs:Appointment``: one person (or a counted group), the role, the appointing government."""
    del x, topic
    member, org = f.attrs["member"], f.attrs["org"]
    assert isinstance(member, Finding) and isinstance(org, Finding)
    m_iri, o_iri = get(member), get(org)
    if m_iri is None or o_iri is None:
        return False
    w.fact(iri, ZS.Appointment, f.label, s0)
    w.g.add((iri, ORG.member, m_iri))
    w.g.add((iri, ORG.organization, o_iri))
    w.g.add((iri, ORG.role, ZS[str(f.attrs["role"])]))
    if f.attrs.get("count"):
        w.g.add((iri, ZS.appointeeCount, Literal(int(str(f.attrs["count"])), datatype=XSD.integer)))
    if f.attrs.get("batch"):
        w.g.add((iri, ZS.appointmentBatch, Literal(str(f.attrs["batch"]), lang="zh")))
    return True


FACT = FactType("appointments", find_appointments, {"appointment": write_appointment}, (APPOINTMENT,))
