"""``--param NAME=VALUE`` as RDF terms, bound into a query (never pasted into its text)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.query.catalogue import Question

if TYPE_CHECKING:
    from kg.names.index import EntityIndex


def parse_params(
    store: ox.Store, raw: list[str] | tuple[str, ...], question: Question | None = None,
    index: EntityIndex | None = None, whole: Callable[[], EntityIndex] | None = None,
) -> dict[str, ox.NamedNode | ox.Literal]:
    """``NAME=VALUE`` pairs as RDF terms, for binding (never pasting) into a query.

    VALUE may be ``<IRI>``, a prefixed name (``zr:region/430100``), a Turtle literal (``"2023"^^xsd:gYear``,
    ``"长沙"@zh``) or plain text. For a catalogue question, a parameter of kind ``region`` or ``entity``
    also takes a name (长沙市, Changsha), resolved through labels and aliases: in *index* when given, else by
    :func:`kg.names.index.find` (*whole* gives it the whole index when a name needs one).
    """
    from kg.names.index import find, resolve

    kinds = {p.name: p for p in question.params} if question is not None else {}
    out: dict[str, ox.NamedNode | ox.Literal] = {}
    for item in raw:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"\w+", name):
            raise QueryError(f"--param {item!r}: write NAME=VALUE, e.g. --param region=长沙市.")
        if kinds and name not in kinds:
            raise QueryError(f"--param {name}: the question {question.name!r} has no such parameter. "  # type: ignore[union-attr]
                             f"Its parameters: {', '.join(kinds) or 'none'}.")
        param = kinds.get(name)
        if param is not None and param.kind in ("region", "entity", "iri") and not _looks_like_term(value):
            places_only = param.kind == "region"
            # without an index, read only the entities the name could mean (kg.names.index.find), not every name
            found = (resolve(index, value, places_only=places_only) if index
                     else find(store, value, places_only=places_only, whole=whole))
            out[name] = ox.NamedNode(found.iri)
        else:
            out[name] = parse_term(value)
    if question is not None:
        missing = [p.name for p in question.params if p.required and p.name not in out]
        if missing:
            raise QueryError(f"The question {question.name!r} needs --param {missing[0]}=… "
                             f"({kinds[missing[0]].description or kinds[missing[0]].kind}).")
    return out


def _looks_like_term(value: str) -> bool:
    v = value.strip()
    return v.startswith(("<", '"', "'")) or bool(re.match(r"^[A-Za-z][\w-]*:\S", v) and v.split(":")[0] in PREFIXES)


def parse_term(value: str) -> ox.NamedNode | ox.Literal:
    """One RDF term from the command line: an IRI, a prefixed name, a Turtle literal, or else plain text."""
    v = value.strip()
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
