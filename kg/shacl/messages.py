"""How the in-store validator names things in a violation, exactly as pySHACL does for the same data.

A :class:`~kg.shacl.report.Violation` carries text: the focus node, path and value as
:func:`kg.shacl.report.term_text` shows rdflib terms (:func:`violation_text`), and the message. Shapes with an
``sh:message`` use it (``{?var}``/``{$var}`` filled from the row in SPARQL-based constraints,
:func:`substitute`). Otherwise the message is pySHACL's default (:func:`default_message`), naming terms with
rdflib's default prefixes (:class:`Names`, pySHACL's ``stringify_node``, blank nodes spelled out), which is
what :func:`kg.shacl.oracles.validate_graph` produces for graphs made with :func:`kg.store.rdfio.to_rdflib`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pyoxigraph as ox
import rdflib

from kg.shacl.report import term_text
from kg.shacl.terms import FIRST, NIL, REST, SH, Node, Term, to_rdflib

#: Where a default message names the focus or value node (filled in per result).
NODE = "\x00node\x00"


def literal_value(term: Term) -> str:
    """A literal's lexical form (pySHACL prints patterns so); any other term as text."""
    return term.value if isinstance(term, ox.Literal) else str(term)


def violation_text(term: Term) -> str:
    """The violation text of a term, exactly as :func:`kg.shacl.report.term_text` shows it."""
    return term_text(to_rdflib(term))


class Names:
    """pySHACL's ``stringify_node``: how default messages print terms (rdflib's default prefixes)."""

    def __init__(self, shapes: Mapping[Node, Mapping[ox.NamedNode, list[Term]]] | None) -> None:
        """*shapes*: the shapes graph as subject → predicate → objects, to spell out its blank nodes (None when
        only data terms are printed)."""
        self.shapes = shapes
        self.nsm = rdflib.Graph().namespace_manager
        self.nsm.bind("sh", rdflib.URIRef(SH), override=False, replace=False)

    def iri(self, value: str) -> str:
        try:
            return rdflib.URIRef(value).n3(namespace_manager=self.nsm)
        except Exception:
            return value

    def literal(self, term: ox.Literal) -> str:
        lit = to_rdflib(term)
        assert isinstance(lit, rdflib.Literal)
        value = None if lit.value is None else str(lit.value)
        if value is not None and " object at 0x" in value:
            value = value[: value.find(" object at 0x")]
        lex = str(lit)
        text = f'"{lex}" = {value}' if value is not None and value != lex else f'"{lex}"'
        lang = f", lang={lit.language}" if lit.language else ""
        dt = f", datatype={self.iri(str(lit.datatype))}" if lit.datatype else ""
        return f"Literal({text}{lang}{dt})"

    def shape_text(self, term: Term) -> str:
        """A term of the shapes graph, as pySHACL prints it (blank nodes spelled out)."""
        assert self.shapes is not None
        shapes = self.shapes
        return self.text(term, lambda s: [(p, o) for p, os in shapes.get(s, {}).items() for o in os])

    def text(self, term: Term, edges: Callable[[Node], list[tuple[ox.NamedNode, Term]]], depth: int = 0) -> str:
        if isinstance(term, ox.Literal):
            return self.literal(term)
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        return self._bnode(term, edges, depth + 1)

    def _bnode(self, node: Node, edges: Callable[[Node], list[tuple[ox.NamedNode, Term]]], depth: int) -> str:
        if depth >= 12:
            return "<http://recursion.too.deep>"
        out = edges(node)
        if not out:
            return "[ ]"
        preds = {p for p, _ in out}
        if FIRST in preds:
            items: list[str] = []
            cur: Term = node
            seen: set[Term] = set()
            while isinstance(cur, (ox.NamedNode, ox.BlankNode)) and cur != NIL and cur not in seen:
                seen.add(cur)
                here = edges(cur)
                items += [self.text(o, edges, depth + 1) for p, o in here if p == FIRST]
                rests = [o for p, o in here if p == REST]
                if not rests:
                    break
                cur = rests[0]
            return "( {} )".format(" ".join(items))
        by_pred: dict[str, list[str]] = {}
        for pred, obj in out:
            by_pred.setdefault(self.iri(pred.value), []).append(self.text(obj, edges, depth + 1))
        parts = {k: (", ".join(sorted(os)) if len(os) > 1 else os[0]) for k, os in by_pred.items()}
        body = " ; ".join(f"{k} {o}" for k, o in sorted(parts.items()))
        return f"[ {body} ]"


def substitute(message: str, bindings: dict[str, Term]) -> str:
    """pySHACL's ``{?var}``/``{$var}`` substitution in sh:sparql messages (``str()`` of each rdflib term)."""
    values: dict[str, Term] = {k: v for k, v in bindings.items() if k not in ("this", "path", "value")}
    for k in ("this", "path", "value"):
        if k in bindings:
            values[k] = bindings[k]
    for var, val in values.items():
        message = re.sub("{[?$]" + var + "}", str(to_rdflib(val)), message)
    return message


def default_message(
    kind: str, arg: Term, all_args: tuple[Term, ...], names: Names, or_members: Callable[[Term], list[Term]]
) -> tuple[str, str]:
    """pySHACL's default result message for a value constraint *kind* (``"class"``, ``"datatype"`` …) with
    parameter *arg* (*all_args*: every value of that parameter on the shape, which pySHACL names together), and
    how to fill it in: "static", or "value" (:data:`NODE` marks where the value node goes). *or_members* gives
    the members of an ``sh:or`` list."""
    if kind == "class":
        if len(all_args) < 2:
            return f"Value does not have class {names.shape_text(all_args[0])}", "static"
        return "Value class is not in classes ({})".format(", ".join(names.shape_text(a) for a in all_args)), "static"
    if kind == "datatype":
        return f"Value is not Literal with datatype {names.shape_text(arg)}", "static"
    if kind == "nodeKind":
        return f"Value is not of Node Kind {names.shape_text(arg)}", "static"
    if kind == "pattern":
        if len(all_args) < 2:
            return f"Value does not match pattern '{literal_value(arg)}'", "static"
        return "Value does not match every pattern in ('{}')".format(
            "', '".join(literal_value(a) for a in all_args)), "static"
    if kind == "languageIn":
        return f"String language is not in {names.shape_text(arg)}", "static"
    if kind == "minInclusive":
        if len(all_args) < 2:
            return f"Value is not >= {names.shape_text(arg)}", "static"
        return "Value is not >= in ({})".format(", ".join(names.shape_text(a) for a in all_args)), "static"
    if kind == "minLength":
        return f"String length not >= {names.shape_text(arg)}", "static"
    if kind == "node":
        if len(all_args) < 2:
            return (f"Value does not conform to Shape {names.shape_text(arg)}. "
                    "See details for more information."), "static"
        rules = "', '".join(names.shape_text(a) for a in all_args)
        return f"Value must conform to every Shape in ('{rules}'). See details for more information.", "static"
    if kind == "or":
        if len(all_args) < 2:
            members = " , ".join(names.shape_text(m) for m in or_members(arg))
        else:
            members = " and ".join(
                "(" + " , ".join(names.shape_text(m) for m in or_members(a)) + ")" for a in all_args)
        return f"Node {NODE} must conform to one or more shapes in {members}", "value"
    raise AssertionError(kind)  # pragma: no cover
