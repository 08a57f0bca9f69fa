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
GROUPS = ["NewsArticle", "SigningTotal", "InvestmentProject", "ProjectMilestone", "MonetaryAmount",
          "ChamberOfCommerce", "TaskForce", "CountedGroup", "Appointment", "Person", "Government", "GovernmentUnit",
          "ServiceCentre", "Enterprise",
          "University", "ResearchInstitute", "MediaOrganization", "Metric", "Indicator", "PromotionEvent",
          "PolicyDocument", "PlanningDocument", "DevelopmentZone", "CountyLevelDivision", "PrefectureLevelDivision",
          "ProvinceLevelDivision", "Country", "Geometry", "Dataset", "DataSet", "Sentence",
          "TextQuoteSelector"]
_RANK = {p: i for i, p in enumerate(_FIRST)}


def escape(text: str) -> str:
    """A Turtle string body."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


#: A draft's object as plain strings: ``("i", iri, "")``, ``("l", text, language)`` or ``("t", text, datatype)``.
#: Plain tuples hash and compare much faster than rdflib or Oxigraph terms, and the draft needs nothing more.
Obj = tuple[str, str, str]


class TurtleWriter:
    """Writes subjects with prefixed names, one predicate-object pair a line.

    It caches the text of every IRI and object it writes: a draft repeats the same types, predicates, regions
    and datasets in every article, and without the caches writing was one of the largest costs of ``kg ingest``.
    """

    #: Cached IRIs beyond this many are forgotten (most subject IRIs occur in one article only).
    CACHE_LIMIT = 200_000

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self._cache: dict[str, str] = {}
        self._objects: dict[Obj, str] = {}
        self._ranks: dict[str, tuple[int, str]] = {}

    def iri(self, iri: str) -> str:
        """A prefixed name when the local part allows it, else ``<iri>``."""
        out = self._cache.get(iri)
        if out is None:
            out = f"<{iri}>"
            for prefix, ns in self.prefixes:
                if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
                    out = f"{prefix}:{iri[len(ns):]}"
                    break
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            self._cache[iri] = out
        return out

    def obj(self, o: Obj) -> str:
        """One object given as a plain tuple (see ``Obj``)."""
        out = self._objects.get(o)
        if out is None:
            kind, value, extra = o
            if kind == "i":
                return self.iri(value)  # cached by iri()
            body = f'"{escape(value)}"'
            if kind == "l":
                out = f"{body}@{extra}"
            elif extra == _XSD_STRING:
                out = body
            else:
                out = f"{body}^^{self.iri(extra)}"
            if len(value) > 64:
                return out  # long texts (sentences) occur once: not worth keeping
            if len(self._objects) >= self.CACHE_LIMIT:
                self._objects.clear()
            self._objects[o] = out
        return out

    def term(self, t: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
        """One object."""
        if isinstance(t, ox.NamedNode):
            return self.iri(t.value)
        if isinstance(t, ox.Literal):
            if t.language:
                return self.obj(("l", t.value, t.language))
            return self.obj(("t", t.value, t.datatype.value))
        raise TypeError(f"unexpected term {t!r} in a draft")

    def header(self) -> str:
        """The @prefix lines."""
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.prefixes))

    def _rank(self, predicate: str) -> tuple[int, str]:
        """Where a predicate's pairs go in a subject block, and its written form."""
        r = self._ranks.get(predicate)
        if r is None:
            p = "a" if predicate == _RDF_TYPE else self.iri(predicate)
            r = self._ranks[predicate] = (
                0 if p == "a" else 1 + _RANK.get(p, len(_FIRST) + (1 if p in _LAST else 0)), p)
        return r

    def subject(self, s: str, triples: Iterable[ox.Triple], comments: list[str],
                name_of: Callable[[str], str | None]) -> str:
        """One subject block: comments, then its pairs in the fixed predicate order."""
        pairs: list[tuple[str, Obj]] = []
        for t in triples:
            o = t.object
            if isinstance(o, ox.NamedNode):
                pairs.append((t.predicate.value, ("i", o.value, "")))
            elif isinstance(o, ox.Literal):
                pairs.append((t.predicate.value, ("l", o.value, o.language) if o.language
                              else ("t", o.value, o.datatype.value)))
            else:
                raise TypeError(f"unexpected term {o!r} in a draft")
        return self.block(s, pairs, comments, name_of)

    def block(self, s: str, pairs: Iterable[tuple[str, Obj]], comments: list[str],
              name_of: Callable[[str], str | None]) -> str:
        """One subject block from (predicate IRI, object) pairs: what ``subject`` writes, without Oxigraph terms."""
        rows = []
        for predicate, o in pairs:
            rank, p = self._rank(predicate)
            text = self.obj(o)
            rows.append((rank, p, text, name_of(o[1]) if o[0] == "i" and rank else None))
        rows.sort()  # by rank, predicate, object; rows equal so far are the same pair with the same note
        lines = [f"#{c}" if c.startswith("@ ") else f"# {c}" for c in comments]
        lines.append(self.iri(s))
        last = len(rows) - 1
        for i, (_, p, text, note) in enumerate(rows):
            lines.append(f"    {p} {text} {'.' if i == last else ';'}" + (f"  # {note}" if note else ""))
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
