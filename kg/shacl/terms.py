"""RDF terms for the in-store SHACL validator: the vocabularies, how a term is written into a query, how a shape is
named in an error, and how a term looks to rdflib.

Every generated query is plain ASCII: non-ASCII characters become SPARQL code point escapes, and so do braces,
``?`` and ``$`` inside strings, so that no template slot (``⟦…⟧``, see :mod:`kg.shacl.program`) or variable can
hide in a literal taken from the shapes. Blank nodes cannot be named in a query and are refused where one
would be needed. :func:`to_rdflib` is the bridge to pySHACL's rules: the few literals whose judgement depends
on rdflib's reading of them (see :mod:`kg.shacl.literals`) and default messages (:mod:`kg.shacl.messages`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import rdflib

from kg.errors import UnsupportedShape

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"

Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal

TYPE = ox.NamedNode(RDF + "type")
FIRST = ox.NamedNode(RDF + "first")
REST = ox.NamedNode(RDF + "rest")
NIL = ox.NamedNode(RDF + "nil")


def sh_iri(name: str) -> ox.NamedNode:
    """The IRI of *name* in the SHACL namespace."""
    return ox.NamedNode(SH + name)


#: The prefixes every generated query declares (shapes' own SPARQL declares its own with sh:prefixes).
PREFIXES = f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\nPREFIX xsd: <{XSD}>\n"


# ---------------------------------------------------------------------------------------------- SPARQL text


def _ascii(text: str) -> str:
    """Non-ASCII characters as SPARQL code point escapes, so generated queries are plain ASCII."""
    return "".join(c if ord(c) < 128 else (f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}")
                   for c in text)


def sparql_iri(node: ox.NamedNode) -> str:
    """*node* as a SPARQL IRI reference, in plain ASCII."""
    return "<" + _ascii(node.value) + ">"


def sparql_string(text: str) -> str:
    """A SPARQL string literal holding *text* exactly (quotes, backslashes and line breaks escaped)."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t").replace("\b", "\\b").replace("\f", "\\f"))
    # Braces, '?', '$' and '⟦' as code points too, so no template slot or variable can hide in a string.
    escaped = escaped.replace("{", "\\u007B").replace("}", "\\u007D").replace("?", "\\u003F").replace("$", "\\u0024")
    return '"' + _ascii(escaped) + '"'


def sparql_term(term: Term) -> str:
    """*term* as SPARQL text; a blank node cannot be named in a query, so it is refused."""
    if isinstance(term, ox.NamedNode):
        return sparql_iri(term)
    if isinstance(term, ox.BlankNode):
        raise UnsupportedShape(f"a blank node ({term}) cannot be named in a query")
    text = sparql_string(term.value)
    if term.language:
        return f"{text}@{term.language}"
    return f"{text}^^{sparql_iri(term.datatype)}"


# ---------------------------------------------------------------------------------------------- names and copies


def shape_name(node: Term) -> str:
    """A shape as error messages name it."""
    if isinstance(node, ox.NamedNode):
        return f"<{node.value}>"
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    return str(node)


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal it builds; we build them on purpose."""
    logger = logging.getLogger("rdflib.term")
    old = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = old


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    """*term* as rdflib reads it (ill-typed literals included, quietly): what pySHACL would judge and print."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    with _quiet_rdflib():
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD + "string":
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
