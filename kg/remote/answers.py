"""What a SPARQL endpoint sends back, read as pyoxigraph objects and checked for honesty.

:class:`~kg.remote.endpoint.RemoteStore` asks; this module reads the answers: SELECT results in SPARQL JSON
(:func:`parse_select`), the triples of a CONSTRUCT or DESCRIBE (:class:`RemoteTriples`), literals a server
changed on the way (:func:`restore_literal`), and the refusals: an answer cut at the server's row limit
(:func:`check_max_rows`) or over a dataset the server changed (:func:`check_dataset_echo`) is an error, never
a quiet partial answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import EndpointError, PartialResult

_T = TypeVar("_T", ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)


@dataclass(frozen=True)
class DatasetPlan:
    """How the dataset of one query reaches the server (see :meth:`kg.remote.endpoint.RemoteStore.dataset_plan`).

    ``params`` are SPARQL protocol parameters (``default-graph-uri``, ``named-graph-uri``), the portable way.
    ``pragmas`` are Virtuoso ``define input:default-graph-exclude <g>`` / ``define input:named-graph-exclude
    <g>`` lines put before the query text; a list with no parameter and no pragma is every graph of the server.
    """

    params: tuple[tuple[str, str], ...] = ()
    pragmas: tuple[str, ...] = ()

    def sends(self, name: str) -> bool:
        """True when the plan sends the protocol parameter *name* (``default-graph-uri``...) at least once."""
        return any(key == name for key, _ in self.params)


@dataclass(frozen=True)
class RemoteTriples:
    """The answer to a CONSTRUCT or DESCRIBE: triples, iterable like pyoxigraph's ``QueryTriples``."""

    triples: list[ox.Triple]

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self.triples)

    def __len__(self) -> int:
        return len(self.triples)


_DURATION = "http://www.w3.org/2001/XMLSchema#duration"
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_VIRTUOSO_GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
_WKT = ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")


def restore_literal(term: _T) -> _T:
    """Undo what a server did to a literal's lexical form where the value survived.

    Virtuoso 7 stores an ``xsd:duration`` as a number and gives that number back: months for a year-month
    duration (``"P1Y2M"`` → ``"14"``), seconds as a float for a day-time one (``"P3D"`` → ``"259200.0"``).
    Those are turned back into the canonical ``xsd:duration`` form (what Oxigraph gives). It also turns a
    ``geo:wktLiteral`` into its own ``virtrdf:Geometry`` type (coordinates as 32-bit floats): the datatype is
    given back; the coordinates stay as the server rounded them. And it gives an ``xsd:boolean`` back as
    ``1`` or ``0``: turned back into ``true`` and ``false``.
    """
    if not isinstance(term, ox.Literal):
        return term
    dt = term.datatype.value
    if dt == _VIRTUOSO_GEOMETRY:
        return ox.Literal(term.value, datatype=_WKT)
    if dt == _BOOLEAN and term.value in ("1", "0"):
        return ox.Literal("true" if term.value == "1" else "false", datatype=term.datatype)
    if dt != _DURATION or not term.value or term.value.lstrip("-")[:1] not in "0123456789" or "P" in term.value:
        return term
    try:
        number = Decimal(term.value)
    except InvalidOperation:
        return term
    sign, number = ("-" if number < 0 else ""), abs(number)
    if "." not in term.value and "E" not in term.value.upper():
        years, months = divmod(int(number), 12)
        text = (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
        return ox.Literal(f"{sign}P{text}", datatype=term.datatype)
    days, rest = divmod(number, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(f"{int(v)}{u}" for v, u in ((hours, "H"), (minutes, "M")) if v)
    if seconds or (not days and not clock):
        clock += f"{seconds.normalize():f}S"
    text = (f"{int(days)}D" if days else "") + (f"T{clock}" if clock else "")
    return ox.Literal(f"{sign}P{text}", datatype=term.datatype)


def parse_select(body: bytes, where: str) -> ox.QuerySolutions:
    """SELECT results in SPARQL JSON, or an :class:`~kg.errors.EndpointError`."""
    try:
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(f"{where} sent results that do not parse: {exc}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise EndpointError(f"{where} answered a SELECT query with a boolean.")
    return result


def check_dataset_echo(plan: DatasetPlan, headers: Mapping[str, str], where: str) -> None:
    """Refuse an answer over a dataset the server changed.

    Virtuoso names each default and named graph of the dataset in an ``X-SPARQL-default-graph`` or
    ``X-SPARQL-named-graph`` response header. When a plan sends no such parameter (it excludes the other
    graphs instead), an echo means the server put a graph of its own there (a default graph set for the host
    in its ``DB.DBA.SYS_SPARQL_HOST``): the answer would cover that graph only.
    """
    for name in ("default-graph-uri", "named-graph-uri"):
        echo = headers.get("x-sparql-" + name.removesuffix("-uri"))
        if echo is not None and not plan.sends(name):
            raise EndpointError(
                f"{where} answered over its own {name.removesuffix('-uri').replace('-', ' ')} {echo!r} "
                "instead of the project's graphs (a default graph configured for this host). Remove that "
                "setting, or use an endpoint without it."
            )


def check_max_rows(
    result: ox.QuerySolutions, headers: Mapping[str, str], where: str, *, enough: int | None = None
) -> ox.QuerySolutions:
    """Refuse an answer cut at the server's row limit (the server says so in a header), unless the caller
    reads no more than *enough* rows of it and the server sent more than that."""
    check_triple_limit(headers, where, enough=enough)
    return result


def check_triple_limit(headers: Mapping[str, str], where: str, *, enough: int | None = None) -> None:
    """:func:`check_max_rows` for the triples of a CONSTRUCT or DESCRIBE.

    A server cuts at its row limit the way ``LIMIT`` does (after ordering), so when the caller reads only the
    first *enough* rows and the server sent at least that many, those are the answer's first rows.
    """
    cap = headers.get("x-sparql-maxrows")
    if cap is not None and enough is not None and cap.strip().isdigit() and int(cap) >= enough:
        return
    if cap is not None:
        raise PartialResult(
            f"{where} cut the answer at {cap} rows (its ResultSetMaxRows). Raise ResultSetMaxRows "
            "in virtuoso.ini, or add LIMIT/OFFSET to the query."
        )
