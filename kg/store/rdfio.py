"""Parse RDF files strictly into quads, and move quads between pyoxigraph and rdflib."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.errors import InputError, RDFSyntaxError
from kg.files import decode_utf8, read_bytes

#: File extensions we read, and their formats. RDF/XML and JSON-LD with remote contexts are not accepted
#: as *input* of a build: see the billion-laughs and remote @context hazards in the design notes.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
}

_TRAILER = re.compile(r"^# kg-export: (\d+) (?:triples|quads)\s*$", re.MULTILINE)
#: The trailer is the file's last line: it is looked for in this many last characters only.
_TRAILER_TAIL = 256


def format_for(path: Path) -> ox.RdfFormat:
    """The RDF format of *path*, from its extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"{path}: unsupported RDF file type {path.suffix!r}. Use one of: {known}.")
    return fmt


def parse_file(path: Path, graph: ox.NamedNode | ox.DefaultGraph | None = None) -> list[ox.Quad]:
    """Parse one RDF file strictly, into quads placed in *graph* (for triple formats).

    Errors name the file, line and column. A UTF-8 BOM is removed explicitly; any other encoding is refused.
    A file written by ``kg export`` ends with a ``# kg-export: N triples`` trailer; when present, the count
    is checked, so that a truncated export is never loaded as if it were whole.
    """
    text, _ = decode_utf8(read_bytes(path), str(path))
    fmt = format_for(path)
    if fmt == ox.RdfFormat.JSON_LD:
        check_json_depth(text, str(path))
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as exc:
        message = _describe(exc)
        if "LoadDocumentCallback" in message or "remote context" in message.lower():
            raise RDFSyntaxError(
                f"{path}: its @context names a document elsewhere (a URL or another file), and a build never "
                "fetches anything. Put the context itself in the file: replace the \"@context\" URL by the "
                "object it holds, or by the prefixes you need (e.g. {\"zs\": \"https://w3id.org/zhaoshang-kg/def#\"})."
            ) from None
        raise RDFSyntaxError(f"{path}: {message}") from None
    if graph is not None and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
        quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
    expected = _TRAILER.search(text, max(0, len(text) - _TRAILER_TAIL))
    if expected and int(expected.group(1)) != len(quads):
        raise RDFSyntaxError(
            f"{path}: holds {len(quads)} statements but its kg-export trailer says {expected.group(1)}; "
            "the file is incomplete. Export it again."
        )
    return quads


#: Deepest nesting of JSON objects and arrays read. Real JSON-LD stays under 10; the engine's parser recurses and
#: dies with a segmentation fault (not an exception) on a few thousand levels, so depth is checked before it runs.
MAX_JSON_DEPTH = 100


def check_json_depth(text: str, name: str, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON nested deeper than *max_depth* levels, naming *name*, the line and the column.

    A loop over the characters (strings skipped with their escapes), never recursion: the check itself must not
    be the thing that overflows.
    """
    depth = 0
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, i) + 1
                column = i - (text.rfind("\n", 0, i) + 1) + 1
                raise RDFSyntaxError(f"{name}: JSON nested deeper than {max_depth} levels at line {line}, column "
                                     f"{column}; no JSON-LD needs that many. Flatten the document.")
        elif ch in "]}":
            depth -= 1


def _describe(exc: SyntaxError) -> str:
    msg = str(exc.args[0]) if exc.args else str(exc)
    if exc.lineno is not None:
        msg = msg.replace("Parser error", "syntax error", 1)
        if not msg.startswith("syntax error"):
            msg = f"syntax error at line {exc.lineno} column {exc.offset}: {msg}"
    return msg


def to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """Copy quads into one rdflib graph (graph names dropped), for SHACL validation and serialisation."""
    data = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                        format=ox.RdfFormat.N_TRIPLES)
    g = rdflib.Graph()
    if data:
        g.parse(data=data.decode("utf-8"), format="nt")
    return g


def to_rdflib_dataset(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    """Copy quads into an rdflib dataset, keeping graph names."""
    data = ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS)
    ds = rdflib.Dataset()
    if data:
        ds.parse(data=data.decode("utf-8"), format="nquads")
    return ds
