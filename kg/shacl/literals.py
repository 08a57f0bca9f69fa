"""Literals as pySHACL judges them: the SPARQL test of ``sh:datatype`` (and of the other value constraints)
inside Oxigraph, and the Python re-check of the literals that test rejected.

* ``sh:datatype`` follows pySHACL: the datatype IRI must match and the literal must not be ill-typed by
  rdflib's rules. Oxigraph keeps well-formed numbers and dates in its own value space and ill-formed ones as
  they were written; the queries accept what Oxigraph could read, and the few literals it could not are
  judged again in Python with rdflib's rules (``"1e5"^^xsd:decimal`` is a decimal to rdflib, ``"12abc"`` is not).
* Oxigraph stores every integer-derived type (``xsd:nonNegativeInteger``, ``xsd:int`` …) as ``xsd:integer``, so
  the store cannot tell ``"5"^^xsd:nonNegativeInteger`` from ``"5"^^xsd:integer``: an ``xsd:integer`` in the
  type's range satisfies ``sh:datatype xsd:nonNegativeInteger`` (and a ``"5"^^xsd:int`` satisfies
  ``sh:datatype xsd:integer``), where pySHACL, reading the files, would tell them apart. Likewise the value
  text of a non-canonical number (``"1.50"^^xsd:decimal``) is Oxigraph's canonical form (``1.5``).

A :class:`Cond` is what the compiler (:mod:`kg.shacl.compile`) builds for each value constraint: the SPARQL
expression, optionally the group pattern of the nodes that pass (for MINUS), and the :class:`Py` re-check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal

import pyoxigraph as ox
import rdflib

from kg.errors import UnsupportedShape
from kg.shacl.terms import RDF, RDFS, XSD, Term, shape_name, sparql_iri, to_rdflib

#: Integer-derived XSD types, which Oxigraph stores as xsd:integer, with their value ranges.
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1), "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1), "short": (-(2**15), 2**15 - 1), "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
#: XSD types Oxigraph parses into its value space, with the SPARQL test that a literal was read.
_VALUE_TYPES: dict[str, str] = {
    "decimal": "isNumeric({v})", "double": "isNumeric({v})", "float": "isNumeric({v})",
    "boolean": "(sameTerm({v}, true) || sameTerm({v}, false))",
    "date": "(isLiteral(xsd:date({v})) && YEAR({v}) >= 1 && YEAR({v}) <= 9999)",
    "dateTime": "(isLiteral(xsd:dateTime({v})) && YEAR({v}) >= 1 && YEAR({v}) <= 9999)",
    "time": "isLiteral(xsd:time({v}))",
}
#: XSD types whose lexical form rdflib does not check (or checks no more than Oxigraph keeps): the datatype
#: IRI is all that matters, as for any non-XSD datatype.
_PLAIN_TYPES = {
    "gYear", "gYearMonth", "gMonthDay", "gDay", "gMonth", "anyURI", "normalizedString", "token", "language",
    "Name", "NCName", "NMTOKEN", "NMTOKENS", "ID", "IDREF", "IDREFS", "ENTITY", "ENTITIES", "QName", "NOTATION",
}
NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isIRI({v}) || isBlank({v}))", "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
_NODE_KIND_ACCEPTS = {
    "IRI": {"iri"}, "BlankNode": {"bnode"}, "Literal": {"literal"}, "BlankNodeOrIRI": {"iri", "bnode"},
    "BlankNodeOrLiteral": {"bnode", "literal"}, "IRIOrLiteral": {"iri", "literal"},
}


# ---------------------------------------------------------------------------------------------- datatypes


def datatype_cond(shape: Term, dt: str, v: str) -> Cond:
    """``v`` is a literal of datatype *dt* that is not ill-typed, as pySHACL decides on an rdflib graph."""
    py = PyDatatype(dt)
    if dt == XSD + "string":
        return Cond(f"(isLiteral({v}) && DATATYPE({v}) = xsd:string)", py)
    if dt == RDF + "langString":
        return Cond(f"(isLiteral({v}) && LANG({v}) != \"\")", py)
    if dt == RDFS + "Literal":
        return Cond(f"isLiteral({v})", py)
    local = dt[len(XSD):] if dt.startswith(XSD) else None
    if local is None or local in _PLAIN_TYPES:
        return Cond(f"(isLiteral({v}) && DATATYPE({v}) = {sparql_iri(ox.NamedNode(dt))})", py)
    if local in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[local]
        bounds = (f" && {v} >= {low}" if low is not None else "") + (f" && {v} <= {high}" if high is not None else "")
        return Cond(f"(isLiteral({v}) && DATATYPE({v}) = xsd:integer{bounds})", py)
    if local in _VALUE_TYPES:
        test = _VALUE_TYPES[local].format(v=v)
        return Cond(f"(isLiteral({v}) && DATATYPE({v}) = xsd:{local} && {test})", py)
    raise UnsupportedShape(f"{shape_name(shape)}: sh:datatype xsd:{local} is not supported.")


# The Python side of a condition: how pySHACL would judge a *literal* value node. Used only to re-check the
# literals a query rejected, because rdflib reads some lexical forms Oxigraph does not ("1e5"^^xsd:decimal).
# Literals have no outgoing statements, so every path has no values: that settles the property parts.


class Cond:
    """A test on one variable: a SPARQL expression, optionally the group pattern of the nodes that pass it (a
    set a query can subtract with MINUS instead of testing row by row), and the Python re-check of literals."""

    __slots__ = ("positive", "python", "sparql")

    def __init__(self, sparql: str, python: Py, positive: str | None = None) -> None:
        self.sparql = sparql
        self.python: Py = python
        self.positive = positive


class Py:
    """How pySHACL judges one literal value node for a constraint (see :class:`Cond`)."""

    def accepts(self, lit: rdflib.Literal) -> bool:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class PyConst(Py):
    value: bool

    def accepts(self, lit: rdflib.Literal) -> bool:
        return self.value


@dataclass(frozen=True)
class PyClass(Py):
    def accepts(self, lit: rdflib.Literal) -> bool:
        return False


@dataclass(frozen=True)
class PyAll(Py):
    parts: tuple[Py, ...]

    def accepts(self, lit: rdflib.Literal) -> bool:
        return all(p.accepts(lit) for p in self.parts)


@dataclass(frozen=True)
class PyAny(Py):
    parts: tuple[Py, ...]

    def accepts(self, lit: rdflib.Literal) -> bool:
        return any(p.accepts(lit) for p in self.parts)


@dataclass(frozen=True)
class PyNodeKind(Py):
    kind: str

    def accepts(self, lit: rdflib.Literal) -> bool:
        return "literal" in _NODE_KIND_ACCEPTS[self.kind]


@dataclass(frozen=True)
class PyPattern(Py):
    pattern: str

    def __post_init__(self) -> None:
        re.compile(self.pattern)  # pySHACL compiles it with re (so a bad one fails here, as it does there)

    def accepts(self, lit: rdflib.Literal) -> bool:
        return bool(re.search(self.pattern, _string_value(lit)))


@dataclass(frozen=True)
class PyMinLength(Py):
    n: int

    def accepts(self, lit: rdflib.Literal) -> bool:
        return len(_string_value(lit)) >= self.n


@dataclass(frozen=True)
class PyLang(Py):
    wanted: tuple[str, ...]

    def accepts(self, lit: rdflib.Literal) -> bool:
        lang = (lit.language or "").lower()
        if not lang:
            return False
        return "*" in self.wanted or lang in self.wanted or lang.split("-")[0] in self.wanted


@dataclass(frozen=True)
class PyMinInclusive(Py):
    bound: ox.Literal

    def accepts(self, lit: rdflib.Literal) -> bool:
        bound = to_rdflib(self.bound)
        assert isinstance(bound, rdflib.Literal)
        if isinstance(lit.value, str) != isinstance(bound.value, str):
            return False
        try:
            return _compare_literal(lit, bound) >= 0
        except (TypeError, NotImplementedError):
            return False


def _compare_literal(a: rdflib.Literal, b: rdflib.Literal) -> int:
    """pySHACL's ``compare_literal`` (pyshacl.rdfutil.compare, 0.30-0.40): -1, 0 or 1; raises TypeError or
    NotImplementedError when rdflib cannot order them. Kept here, ten lines, so that the validator does not
    need pySHACL at run time (it is the test oracle only): datetimes and times compare by value, without the
    total order rdflib forces on them; everything else as rdflib orders literals."""
    if a.eq(b):
        return 0
    if type(a.value) in (datetime, clock_time):
        if a.value == b.value:
            return 0
        if a.value > b.value:
            return 1
    elif a > b:
        return 1
    return -1


@dataclass(frozen=True)
class PyDatatype(Py):
    """pySHACL's DatatypeConstraintComponent for one literal."""

    dt: str

    def accepts(self, lit: rdflib.Literal) -> bool:
        rule = self.dt
        if lit.datatype is not None and str(lit.datatype) == rule:
            return lit.ill_typed is not True and _actual_datatype(lit.value, rule)
        if rule == RDFS + "Literal":
            return True
        if rule == RDFS + "Datatype" and lit.datatype is not None:
            return True
        if lit.datatype is None and lit.language is None and rule == XSD + "string":
            return isinstance(lit.value, (str, bytes))
        if rule == RDF + "langString" and lit.language:
            return isinstance(lit.value, (str, bytes))
        return False


def _actual_datatype(value: object, rule: str) -> bool:
    checks: dict[str, type | tuple[type, ...]] = {
        XSD + "string": (str, bytes), RDF + "langString": (str, bytes), XSD + "integer": int, XSD + "float": float,
        XSD + "decimal": Decimal, XSD + "boolean": bool, XSD + "date": date, XSD + "time": clock_time,
        XSD + "dateTime": datetime,
    }
    kind = checks.get(rule)
    return True if kind is None else isinstance(value, kind)


def _string_value(lit: rdflib.Literal) -> str:
    if lit.value is not None and lit.datatype in (None, rdflib.RDF.langString, rdflib.XSD.string):
        return str(lit.value)
    return str(lit)

