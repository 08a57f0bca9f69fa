"""A draft's Turtle written for a reviewer, deterministically: facts grouped by type, predicates in a fixed
order, the sentence a fact comes from as a comment above it, and the name of every place or entity beside its
IRI. The same findings always give the same bytes, so two drafts can be compared with ``diff``.

Oxigraph's serializer (which it replaces here) orders triples by hash and writes no comments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

import pyoxigraph as ox

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
#: Predicates first in this order; the others follow alphabetically, provenance last.
_FIRST = ["rdf:type", "rdfs:label", "skos:prefLabel", "skos:altLabel", "schema:name", "dcterms:title",
          "zs:measure", "schema:value", "schema:currency", "zs:qualifier", "zs:surfaceForm", "zs:refArea",
          "schema:location", "zs:investment", "zs:projectCount", "zs:stage", "zs:hostRegion", "zs:originRegion",
          "org:unitOf", "zs:establishedBy", "zs:stationedIn", "zs:targetRegion", "zs:memberCount", "org:member",
          "org:role", "org:organization"]
_LAST = ["prov:wasDerivedFrom"]
#: Fact types in the order a reviewer reads them.
GROUPS = ["NewsArticle", "SigningTotal", "InvestmentProject", "MonetaryAmount", "ChamberOfCommerce", "TaskForce",
          "CountedGroup", "Appointment", "Person", "Government", "GovernmentUnit", "ServiceCentre", "Enterprise",
          "University", "ResearchInstitute", "MediaOrganization", "Metric", "Indicator", "PromotionEvent",
          "PolicyDocument", "PlanningDocument", "DevelopmentZone", "CountyLevelDivision", "PrefectureLevelDivision",
          "ProvinceLevelDivision", "Country", "Geometry", "Dataset", "DataSet", "Sentence",
          "TextQuoteSelector"]
_RANK = {p: i for i, p in enumerate(_FIRST)}


def escape(text: str) -> str:
    """A Turtle string body."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


class TurtleWriter:
    """Writes subjects with prefixed names, one predicate-object pair a line."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self._cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        """A prefixed name when the local part allows it, else ``<iri>``."""
        out = self._cache.get(iri)
        if out is None:
            out = f"<{iri}>"
            for prefix, ns in self.prefixes:
                if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
                    out = f"{prefix}:{iri[len(ns):]}"
                    break
            self._cache[iri] = out
        return out

    def term(self, t: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
        """One object."""
        if isinstance(t, ox.NamedNode):
            return self.iri(t.value)
        if isinstance(t, ox.Literal):
            body = f'"{escape(t.value)}"'
            if t.language:
                return f"{body}@{t.language}"
            if t.datatype.value == _XSD_STRING:
                return body
            return f"{body}^^{self.iri(t.datatype.value)}"
        raise TypeError(f"unexpected term {t!r} in a draft")

    def header(self) -> str:
        """The @prefix lines."""
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.prefixes))

    def subject(self, s: str, triples: Iterable[ox.Triple], comments: list[str],
                name_of: Callable[[str], str | None]) -> str:
        """One subject block: comments, then its pairs in the fixed predicate order."""
        pairs = []
        for t in triples:
            p = "a" if t.predicate.value == _RDF_TYPE else self.iri(t.predicate.value)
            o = self.term(t.object)
            note = name_of(t.object.value) if isinstance(t.object, ox.NamedNode) and p != "a" else None
            key = (0 if p == "a" else 1 + _RANK.get(p, len(_FIRST) + (1 if p in _LAST else 0)), p, o)
            pairs.append((key, f"{p} {o}", note))
        pairs.sort(key=lambda x: x[0])
        lines = [f"#{c}" if c.startswith("@ ") else f"# {c}" for c in comments]
        lines.append(self.iri(s))
        for i, (_, text, note) in enumerate(pairs):
            end = " ." if i == len(pairs) - 1 else " ;"
            lines.append(f"    {text}{end}" + (f"  # {note}" if note else ""))
        return "\n".join(lines) + "\n"


def meta_comment(data: dict[str, object]) -> str:
    """A machine-readable comment (``#@ {...}``) that ``kg review`` reads back: rule, confidence, review items."""
    return "@ " + json.dumps(data, ensure_ascii=False, sort_keys=True)


def read_meta_comments(text: str) -> list[dict[str, object]]:
    """Every ``#@`` comment of a draft, in order."""
    out = []
    for line in text.splitlines():
        if line.startswith("#@ "):
            try:
                value = json.loads(line[3:])
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                out.append(value)
    return out
