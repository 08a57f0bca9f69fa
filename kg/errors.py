"""Every error the library raises on purpose is a :class:`KGError`; the CLI turns them into messages.

::

    KGError
    ├── InputError                 a file or argument the user gave cannot be used
    │   ├── EncodingError          not UTF-8 (or a BOM where none is allowed)
    │   ├── RDFSyntaxError         Turtle/TriG/N-Triples that does not parse (file, line, column)
    │   ├── UnsupportedShape       the shapes use a SHACL feature the in-store validator does not implement
    │   └── ViewTooLarge           a view would draw more nodes than its cap; narrow it
    ├── ValidationError            the data breaks the SHACL shapes; nothing was loaded
    ├── QuoteMismatch              a provenance quote differs from its slice of the source text
    ├── OutputError                a file or the store cannot be written (name too long, disk full…)
    ├── StoreError                 the store folder is missing, locked or broken
    │   └── EndpointError          a remote SPARQL endpoint is unreachable, refuses a request or fails
    │       └── PartialResult      the endpoint cut the results (timeout, HTTP 206, ResultSetMaxRows)
    ├── MissingExtra               an optional dependency is not installed; names the extra to install
    └── QueryError                 a query that is refused, malformed, too slow or unknown
        ├── QueryRefused           SERVICE, FROM, LOAD, updates, too long or too deeply nested
        ├── QuerySyntaxError       the engine cannot parse the query (line and column)
        ├── QueryTimeout           the query ran past --timeout and its worker was killed
        ├── UnknownEntity          no entity has that label, alias or IRI
        └── AmbiguousEntity        several entities share that label; carries the candidates
"""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error zhaoshang-kg raises on purpose."""


class InputError(KGError):
    """A file or argument given by the user cannot be used."""


class EncodingError(InputError):
    """A text file is not valid UTF-8."""


class RDFSyntaxError(InputError):
    """An RDF file does not parse; the message names the file, line and column."""


class UnsupportedShape(InputError):
    """The shapes graph uses a SHACL feature :mod:`kg.shacl` does not implement; names the shape and the term.

    Raised when the shapes are compiled, so that no shape is ever silently skipped.
    """


class ValidationError(KGError):
    """The data does not conform to the shapes; carries the report."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class QuoteMismatch(KGError):
    """A provenance quote does not equal its slice of the source file."""


class OutputError(KGError):
    """A file or the store cannot be written; the message names the path, the cause and what to do.

    Nothing was replaced: writes go to a temporary name first.
    """


class StoreError(KGError):
    """The store cannot be opened, written or swapped."""


class MissingExtra(KGError):
    """An optional dependency (pandas, openpyxl …) is not installed; the message names the extra to install."""


class QueryError(KGError):
    """A SPARQL query is refused, malformed, unknown or ran out of time."""


class EndpointError(StoreError):
    """A remote SPARQL endpoint cannot be reached, refuses a request or fails while answering it."""


class PartialResult(EndpointError):
    """The endpoint returned only part of the answer (a timeout, HTTP 206, or rows cut at its maximum)."""


class QueryRefused(QueryError):
    """A query uses something untrusted queries may not: SERVICE, FROM, LOAD, an update, or is too big."""


class QuerySyntaxError(QueryError):
    """The query does not parse; the message gives the line and column."""


class QueryTimeout(QueryError):
    """The query did not finish within its time limit; its worker process was killed."""


class UnknownEntity(QueryError):
    """No entity has the given label, alias or IRI."""


class AmbiguousEntity(QueryError):
    """Several entities answer to the same name; ``candidates`` lists them as (iri, label, class) tuples."""

    def __init__(self, message: str, candidates: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


class ViewTooLarge(InputError):
    """A view would draw more nodes than its cap; the message says how to narrow it."""
