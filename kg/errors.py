"""Every error the library raises on purpose is a :class:`KGError`; the CLI turns them into messages.

::

    KGError
    ├── InputError                 a file or argument the user gave cannot be used
    │   ├── EncodingError          not UTF-8 (or a BOM where none is allowed)
    │   └── RDFSyntaxError         Turtle/TriG/N-Triples that does not parse (file, line, column)
    ├── ValidationError            the data breaks the SHACL shapes; nothing was loaded
    ├── QuoteMismatch              a provenance quote differs from its slice of the source text
    ├── StoreError                 the store folder is missing, locked or broken
    └── QueryError                 a query that is refused, malformed, too slow or unknown
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


class ValidationError(KGError):
    """The data does not conform to the shapes; carries the report."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class QuoteMismatch(KGError):
    """A provenance quote does not equal its slice of the source file."""


class StoreError(KGError):
    """The store cannot be opened, written or swapped."""


class QueryError(KGError):
    """A SPARQL query is refused, malformed, unknown or ran out of time."""
