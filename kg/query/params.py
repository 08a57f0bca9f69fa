"""``--param NAME=VALUE`` as RDF terms, bound into a query (never pasted into its text).

A value is read by the type its question declares (``# param: min (number) — …``):

- ``region``, ``entity``, ``iri``: an IRI in any form the tool prints (``<https://…>``, ``https://…``,
  ``zr:region/430100``, ``zs:Card``) or a name (长沙, 长沙市, Changsha), resolved as ``kg ask`` resolves it;
- ``number``, ``integer``, ``decimal``, ``money``: a number (``10000000000``, ``1e10``, ``10,000``, ``100亿``);
- ``date`` (``2023-03-08``), ``year`` (``2023``), ``month`` (``2023-03``);
- ``string``, ``text``, ``literal``: the text itself.

A free query (no question) has no declared types, so the value says what it is: an IRI or prefixed name, a
Turtle literal (``"2023"^^xsd:gYear``, ``"长沙"@zh``), a number, a date, else a name that some entity has (the
entity), else plain text (write ``"北京"`` for the string).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import QueryError, UnknownEntity
from kg.namespaces import PREFIXES
from kg.query.catalogue import Param, Question

if TYPE_CHECKING:
    from kg.names.index import EntityIndex

XSD = PREFIXES["xsd"]
ENTITY_KINDS = frozenset({"region", "entity", "iri", "place"})
NUMBER_KINDS = frozenset({"number", "integer", "decimal", "money", "amount"})
TEXT_KINDS = frozenset({"string", "text", "literal"})
_UNITS = {"亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "千": Decimal(1000), "billion": Decimal(10) ** 9,
          "million": Decimal(10) ** 6, "bn": Decimal(10) ** 9, "m": Decimal(10) ** 6}
_NUMBER = re.compile(
    r"^([+-]?\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(亿|万|千|billion|million|bn|m)?\s*(元|yuan|cny)?$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


def parse_params(
    store: ox.Store, raw: list[str] | tuple[str, ...], question: Question | None = None,
    index: EntityIndex | None = None, whole: Callable[[], EntityIndex] | None = None,
) -> dict[str, ox.NamedNode | ox.Literal]:
    """``NAME=VALUE`` pairs as RDF terms, for binding (never pasting) into a query.

    For a catalogue question, each value is read by its parameter's declared type and an unknown NAME is an
    error that lists the known ones; names of entities are resolved in *index* when given, else by
    :func:`kg.names.index.find` (*whole* gives it the whole index when a name needs one).
    """
    kinds = {p.name: p for p in question.params} if question is not None else {}
    out: dict[str, ox.NamedNode | ox.Literal] = {}
    for item in raw:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"\w+", name):
            raise QueryError(f"--param {item!r}: write NAME=VALUE, e.g. --param region=长沙市.")
        if question is not None and name not in kinds:
            known = ", ".join(f"{p.name} ({p.kind})" for p in question.params) or "none"
            raise QueryError(f"--param {name}: the question {question.name!r} has no such parameter. "
                             f"Its parameters: {known}.")
        param = kinds.get(name)
        out[name] = (typed_value(store, param, value, index=index, whole=whole) if param is not None
                     else free_value(store, value, index=index, whole=whole))
    if question is not None:
        missing = [p.name for p in question.params if p.required and p.name not in out]
        if missing:
            raise QueryError(f"The question {question.name!r} needs --param {missing[0]}=… "
                             f"({kinds[missing[0]].description or kinds[missing[0]].kind}).")
    return out


def typed_value(store: ox.Store, param: Param, value: str, *, index: EntityIndex | None = None,
                whole: Callable[[], EntityIndex] | None = None) -> ox.NamedNode | ox.Literal:
    """*value* read as the declared type of *param*; a clear :class:`QueryError` when it is not one."""
    kind = param.kind.lower()
    v = value.strip()
    if kind in ENTITY_KINDS:
        iri = as_iri(v)
        if iri is not None:
            return ox.NamedNode(iri)
        if v.startswith(('"', "'")):
            raise QueryError(f"--param {param.name}: expects {kind}, an IRI or a name, not the literal {v}.")
        return ox.NamedNode(_resolve(store, v, places_only=kind in ("region", "place"), index=index,
                                     whole=whole, what=param.name))
    if kind in NUMBER_KINDS:
        number = parse_number(v)
        if number is None:
            raise QueryError(f"--param {param.name}: expects a number (e.g. 10000000000, 1e10 or 100亿), "
                             f"not {value!r}.")
        return number_literal(number, integer=kind == "integer")
    if kind in ("date", "year", "month"):
        pattern, datatype, example = {"date": (_DATE, "date", "2023-03-08"), "year": (_YEAR, "gYear", "2023"),
                                      "month": (_MONTH, "gYearMonth", "2023-03")}[kind]
        if not pattern.match(v):
            raise QueryError(f"--param {param.name}: expects a {kind} like {example}, not {value!r}.")
        try:
            datetime.date.fromisoformat({"date": v, "year": f"{v}-01-01", "month": f"{v}-01"}[kind])
        except ValueError:
            raise QueryError(f"--param {param.name}: {value!r} is not a valid {kind}.") from None
        return ox.Literal(v, datatype=ox.NamedNode(XSD + datatype))
    if kind in TEXT_KINDS:
        return parse_term(v) if v.startswith(('"', "'")) else ox.Literal(value)
    return free_value(store, value, index=index, whole=whole)


def free_value(store: ox.Store, value: str, *, index: EntityIndex | None = None,
               whole: Callable[[], EntityIndex] | None = None) -> ox.NamedNode | ox.Literal:
    """A value with no declared type: what it looks like (IRI, literal, number, date), else an entity's name,
    else plain text."""
    v = value.strip()
    iri = as_iri(v)
    if iri is not None:
        return ox.NamedNode(iri)
    if v.startswith(('"', "'")) or _looks_like_term(v):
        return parse_term(v)
    if _DATE.match(v):
        return ox.Literal(v, datatype=ox.NamedNode(XSD + "date"))
    number = parse_number(v)
    if number is not None:
        return number_literal(number)
    try:
        return ox.NamedNode(_resolve(store, v, places_only=False, index=index, whole=whole, what=""))
    except UnknownEntity:
        return ox.Literal(value)


def _resolve(store: ox.Store, name: str, *, places_only: bool, index: EntityIndex | None,
             whole: Callable[[], EntityIndex] | None, what: str) -> str:
    from kg.names.index import find, resolve

    try:
        found = (resolve(index, name, places_only=places_only) if index
                 else find(store, name, places_only=places_only, whole=whole))
    except UnknownEntity as exc:
        if what:
            raise UnknownEntity(f"--param {what}: {exc}") from None
        raise
    return found.iri


def as_iri(value: str) -> str | None:
    """The IRI of *value* when it is written as one: ``<…>``, ``http(s)://…``, or a known prefix's name
    (``zr:region/430100``: the slash makes it no Turtle prefixed name, but the tool prints it so)."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">") and len(v) > 2 and not re.search(r"[\s<>\"{}|^`\\]", v[1:-1]):
        return v[1:-1]
    if re.match(r"^https?://[^\s<>\"{}|^`\\]+$", v):
        return v
    m = re.match(r"^([A-Za-z][\w-]*):([^\s<>\"{}|^`\\]*)$", v)
    if m and m.group(1) in PREFIXES and not m.group(2).startswith("//"):
        return PREFIXES[m.group(1)] + m.group(2)
    return None


def parse_number(value: str) -> Decimal | None:
    """``10000000000``, ``1e10``, ``10,000``, ``100亿`` or ``1.5 billion`` as a number; None when it is none."""
    m = _NUMBER.match(value.strip())
    if not m:
        return None
    try:
        number = Decimal(m.group(1).replace(",", ""))
    except InvalidOperation:
        return None
    if m.group(2):
        number *= _UNITS[m.group(2).lower() if m.group(2).isascii() else m.group(2)]
    return number


def number_literal(number: Decimal, *, integer: bool = False) -> ox.Literal:
    """An ``xsd:integer`` for a whole number, else an ``xsd:decimal`` (compares with the data's decimals)."""
    if number == number.to_integral_value():
        return ox.Literal(str(int(number)), datatype=ox.NamedNode(XSD + "integer"))
    if integer:
        raise QueryError(f"{number} is not a whole number.")
    text = format(number.normalize(), "f")
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "decimal"))


def _looks_like_term(value: str) -> bool:
    v = value.strip()
    return v.startswith(("<", '"', "'")) or bool(re.match(r"^[A-Za-z][\w-]*:\S", v) and v.split(":")[0] in PREFIXES)


def parse_term(value: str) -> ox.NamedNode | ox.Literal:
    """One RDF term from the command line: an IRI, a prefixed name, a Turtle literal, or else plain text."""
    v = value.strip()
    iri = as_iri(v)
    if iri is not None:
        return ox.NamedNode(iri)
    if not _looks_like_term(v):
        return ox.Literal(value)
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    try:
        triples = list(ox.parse(header + f"<urn:kg:s> <urn:kg:p> {v} .", format=ox.RdfFormat.TURTLE))
    except SyntaxError:
        raise QueryError(f"Cannot read {value!r} as an RDF term; write <IRI>, prefix:name, \"text\"@zh "
                         "or \"2023\"^^xsd:gYear.") from None
    if len(triples) != 1 or not isinstance(triples[0].object, ox.NamedNode | ox.Literal):
        raise QueryError(f"{value!r} is not one RDF term.")
    return triples[0].object
