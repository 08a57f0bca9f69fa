"""Appointments of named people to investment-promotion roles (招商大使, 招商顾问 …) by a government."""

from __future__ import annotations

from rdflib import RDF

from kg.ingest.facts.base import DraftView, Item, Relation, place_is
from kg.ingest.resolve import norm
from kg.namespaces import ORG, SCHEMA, ZS


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
