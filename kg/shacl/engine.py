"""Validate an Oxigraph store against SHACL shapes by running the shapes as SPARQL inside the store.

:func:`compile_shapes` reads a shapes graph (with pyoxigraph) and turns every constraint into a SPARQL
``SELECT`` that returns the offending focus nodes (and values); :meth:`ShapeProgram.validate` runs those
queries over the union of the store's named graphs and reports :class:`~kg.shacl.report.Violation` s that read
exactly like the ones :func:`kg.shacl.report.validate_graph` (pySHACL) gives for the same data: same focus node,
path, value, message and severity text, in the same order. Nothing is copied out of the store, so a
million-statement store is checked in seconds instead of minutes.

Only the part of SHACL Core (and SHACL-SPARQL) that ``ontology/shapes.ttl`` uses is implemented:

* targets ``sh:targetClass`` (instances of the class or of any ``rdfs:subClassOf*`` sub-class, as stated in the
  store), ``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``;
* property shapes whose ``sh:path`` is one IRI;
* ``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:pattern``,
  ``sh:languageIn``, ``sh:minInclusive``, ``sh:minLength``, ``sh:qualifiedValueShape`` with
  ``sh:qualifiedMinCount``, ``sh:node``, ``sh:or``, ``sh:sparql`` (``sh:select``, ``sh:prefixes``/``sh:declare``,
  ``$this`` pre-bound), ``sh:message``, ``sh:severity``, ``sh:deactivated``.

Anything else (``sh:and``, ``sh:not``, ``sh:xone``, path expressions, ``sh:equals``, ``sh:flags``, custom
constraint components, SHACL rules …) raises :class:`~kg.errors.UnsupportedShape` naming the shape and the term,
so a shape is never silently ignored.

How the semantics line up with pySHACL on an rdflib copy of the same data:

* The union default graph returns a statement once per named graph that holds it; every query counts
  DISTINCT terms, so the same statement in two graphs is one value, as in the merged rdflib graph.
* ``sh:datatype`` follows pySHACL: the datatype IRI must match and the literal must not be ill-typed by
  rdflib's rules. Oxigraph keeps well-formed numbers and dates in its own value space and ill-formed ones as
  they were written; the queries accept what Oxigraph could read, and the few literals it could not are
  judged again in Python with rdflib's rules (``"1e5"^^xsd:decimal`` is a decimal to rdflib, ``"12abc"`` is not).
* Oxigraph stores every integer-derived type (``xsd:nonNegativeInteger``, ``xsd:int`` …) as ``xsd:integer``, so
  the store cannot tell ``"5"^^xsd:nonNegativeInteger`` from ``"5"^^xsd:integer``: an ``xsd:integer`` in the
  type's range satisfies ``sh:datatype xsd:nonNegativeInteger`` (and a ``"5"^^xsd:int`` satisfies
  ``sh:datatype xsd:integer``), where pySHACL, reading the files, would tell them apart. Likewise the value
  text of a non-canonical number (``"1.50"^^xsd:decimal``) is Oxigraph's canonical form (``1.5``).
* Default messages are pySHACL's, naming terms with rdflib's default prefixes, which is what
  :func:`kg.shacl.report.validate_graph` produces for graphs made with :func:`kg.store.rdfio.to_rdflib`.
* ``sh:pattern`` runs as SPARQL ``REGEX`` (Rust regex syntax); ``$`` is rewritten to also match before a final
  newline, as Python's ``re`` does; a pattern Oxigraph cannot compile (look-around …) is refused.
* ``sh:node``: a value fails when the nested shape reports anything on it, and those nested results are
  reported too (pySHACL's ``sh:detail`` results, which :func:`kg.shacl.report.validate_graph` lists), once per
  result that points at the value.

How it runs. A whole-store run uses queries Oxigraph evaluates with hash joins over index scans (independent
sub-SELECTs, MINUS, value tests on the DISTINCT values of a path): a FILTER [NOT] EXISTS costs an index lookup
per row, which dominates on a store on disk. An incremental run on few focus nodes (next to the store's size)
uses a second form of each check that looks up just the focus nodes that are targets of the shape (with more,
the whole-store queries run and their rows are filtered); SPARQL-based
constraints get a trailing ``VALUES`` block on ``?value`` (and on the subjects of their patterns) when the query
is a plain pattern with filters, so that every row it restricts is bound. Checks run on two threads (Oxigraph
releases the GIL while it evaluates), the SPARQL-based ones first as they are the slowest.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal

import pyoxigraph as ox
import rdflib

from kg.errors import QueryTimeout, UnsupportedShape
from kg.shacl.report import ValidationResult, Violation, sorted_violations, term_text

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"

Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal

_TYPE = ox.NamedNode(RDF + "type")
_FIRST = ox.NamedNode(RDF + "first")
_REST = ox.NamedNode(RDF + "rest")
_NIL = ox.NamedNode(RDF + "nil")


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


#: Predicates in the sh: namespace that the compiler understands (or that carry no validation meaning).
_SUPPORTED = {
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "path", "minCount",
    "maxCount", "class", "datatype", "nodeKind", "pattern", "languageIn", "minInclusive", "minLength",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedValueShapesDisjoint", "node", "or", "message",
    "sparql", "select", "prefixes", "declare", "prefix", "namespace", "deactivated", "severity",
    # Non-validating properties (SHACL 1.0 section 2.3.2 and property groups).
    "name", "description", "order", "group", "defaultValue",
}
_SUPPORTED_TYPES = {"NodeShape", "PropertyShape", "Shape", "SPARQLConstraint", "PrefixDeclaration", "PropertyGroup"}
_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
_SEVERITIES = {SH + "Violation", SH + "Warning", SH + "Info"}

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
_NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isIRI({v}) || isBlank({v}))", "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
_NODE_KIND_ACCEPTS = {
    "IRI": {"iri"}, "BlankNode": {"bnode"}, "Literal": {"literal"}, "BlankNodeOrIRI": {"iri", "bnode"},
    "BlankNodeOrLiteral": {"bnode", "literal"}, "IRIOrLiteral": {"iri", "literal"},
}

_PREFIXES = f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\nPREFIX xsd: <{XSD}>\n"
#: Focus nodes per VALUES block.
_MAX_VALUES = 2000
#: An incremental run looks its focus nodes up (focused forms) when they are few next to the store: at most one
#: per ``_FOCUSED_RATIO`` typing statements (about where a whole-store run of every check, filtered after,
#: becomes as fast: ~4,500 focus nodes at a million statements, ~600 at 100,000), and never more than
#: ``_FOCUSED_MAX``; up to ``_FOCUSED_MIN`` always.
_FOCUSED_RATIO = 40
_FOCUSED_MIN = 200
_FOCUSED_MAX = 10_000

# pySHACL refuses these in SPARQL constraints (SHACL 1.0 section 5.3.1); so do we, at compile time.
_HAS_MINUS = re.compile(r"^(?:[^#]*|M)(?!#)#?[^\?\$\#]M?INUS[\s\{]", flags=re.M | re.I)
_HAS_VALUES = re.compile(r"^(?!\s*#).*?(?<![\w\-\:])VALUES\b(?:\s*(?:\(|[\?\$]\w+|\{|\w|\s))", flags=re.M | re.I)
_HAS_SERVICE = re.compile(r"^(?!\s*#).*?(?<![\w\-\:])SERVICE\b", flags=re.M | re.I)
_BINDS = re.compile(r"([\s{}()])[\$\?](this|PATH|shapesGraph|currentShape)\b", flags=re.M)
_PROJECTION = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s*(?:WHERE\b|\{)", flags=re.S | re.I)


# ---------------------------------------------------------------------------------------------- the program


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SPARQL ``SELECT`` returning the focus nodes (``?this``) that violate it.

    ``sparql`` is a template (see :meth:`render`): ``⟦focus⟧`` stands for ``focus``, the group that binds
    ``?this`` to every focus node of the shape; ``⟦sub <C>⟧`` (``⟦subs <C>⟧``) for the IRIs of class ``C`` and of
    its sub-classes in the store (``rdfs:subClassOf*``, read from the store when it is validated), as a VALUES
    (IN) list; ``⟦failing ?x⟧`` (sh:node checks) for a VALUES block of the values the nested shape reported on.
    Value checks also return ``?value``. SPARQL-based checks run the shape's own query (``sparql`` is its text,
    ``$this`` pre-bound to each focus node that ``focus`` binds).
    """

    sparql: str
    #: The shape the constraint belongs to (a blank property shape goes by its node shape).
    shape: str
    path: str
    message: str
    severity: str
    component: str
    #: "focus" (rows: ?this), "value" (rows: ?this ?value), "self" (the value is the focus node itself) or
    #: "sparql" (rows: the query's own variables).
    kind: str = "value"
    #: How ``message`` becomes the text: "static", "focus"/"value" (a NUL-delimited ``node`` marks where that
    #: node goes, as pySHACL prints it), or "bindings" (``{?var}``/``{$var}`` take the row's values).
    message_mode: str = "static"
    #: Index of the sh:node check this check is nested in: its focus nodes are the values that check tests,
    #: and what it reports on them decides that check (and is reported too, as pySHACL's sh:detail results).
    parent: int | None = None
    #: The group pattern that binds ?this to every focus node of the shape.
    focus: str = ""
    #: For runs on a few focus nodes: ``sparql`` written as lookups from the focus nodes, ``focused_focus`` (in
    #: place of ``focus``, with ``⟦matched⟧`` for the focus nodes that are targets of the root shape), and
    #: ``target``, the query that finds those among the run's focus nodes (``⟦values⟧``).
    focused: str = ""
    focused_focus: str = ""
    target: str = ""
    #: A sh:node check: its rows are the (focus, value) pairs whose value the nested checks reported on.
    from_nested: bool = False
    #: A whole-store run asks this first (a template like ``sparql``, without the focus): a query that has a
    #: row whenever the check has one, and that is cheap on conforming data (the failing values of a path, the
    #: subjects with too many values) as it skips the joins with the pairs and the focus nodes. No row: the
    #: check has none either, and is not run. "" for none.
    probe: str = ""
    #: Like ``probe``, shared by the sh:minCount 1 checks on the same focus nodes (the properties of a node
    #: shape): the focus nodes that lack any of those properties, found with the focus nodes read once. No
    #: row: none of the checks has one.
    group_probe: str = ""
    #: SPARQL-based checks: the variables that a trailing ``VALUES`` block may restrict to the focus nodes of an
    #: incremental run (they are bound in every solution: the query is a basic graph pattern with filters).
    restrict: tuple[str, ...] = ()
    #: SPARQL-based checks: ``sparql`` for a whole-store run, with each triple pattern of its one basic graph
    #: pattern in a sub-SELECT of its own, so that Oxigraph joins them by hashing instead of one index seek per
    #: row ("" when the query is not plainly of that form; see :func:`_hash_join_form`).
    bulk_sparql: str = ""
    #: Python re-check of the literal values a query rejected (rdflib's rules); None when the query is final.
    recheck: _Py | None = field(default=None, repr=False)

    def render(self, closure: Callable[[str], Sequence[str]], failing: str = "", matched: str | None = None) -> str:
        """The runnable query, class closures expanded (*closure* gives the closure of a ``<class>``).

        *failing*: terms for the failing-values slot ("" for none). *matched*: terms of focus nodes of the root
        shape, to run the focused form (lookups from those nodes) instead of the whole-store one."""
        if self.kind == "sparql":
            text = self.sparql
        elif matched is not None:
            text = self.focused.replace("⟦focus⟧", self.focused_focus).replace("⟦matched⟧", matched)
        else:
            text = self.sparql.replace("⟦focus⟧", self.focus)
        text = _FAILING.sub(lambda m: f"VALUES {m.group(1)} {{ {failing} }}" if failing else "", text)
        return _expand(text, closure)

    def probe_query(self, closure: Callable[[str], Sequence[str]]) -> str:
        """The runnable :attr:`probe` ("" for none)."""
        return _expand(self.probe, closure) if self.probe else ""

    def focus_query(self, closure: Callable[[str], Sequence[str]]) -> str:
        """A query for the focus nodes of the check's shape (what ``$this`` takes in a SPARQL-based check)."""
        return _expand(_PREFIXES + "SELECT ?this WHERE { " + self.focus + " }", closure)

    def target_query(self, closure: Callable[[str], Sequence[str]], values: str) -> str:
        """A query for those of *values* (terms) that are focus nodes of the root shape of the check."""
        return _expand(self.target.replace("⟦values⟧", values), closure)


_FAILING = re.compile(r"⟦failing (\?\w+)⟧")
_SUB = re.compile(r"⟦sub (<[^>]*>)⟧")
_SUBS = re.compile(r"⟦subs (<[^>]*>)⟧")
#: Where a default message names the focus or value node (filled in per result).
_NODE = "\x00node\x00"


def _expand(text: str, closure: Callable[[str], Sequence[str]]) -> str:
    """Class closures: ``⟦sub <C>⟧`` as a VALUES list, ``⟦subs <C>⟧`` as an IN list."""
    text = _SUB.sub(lambda m: " ".join(closure(m.group(1))), text)
    return _SUBS.sub(lambda m: ", ".join(closure(m.group(1))), text)


@dataclass(frozen=True)
class ShapeProgram:
    """Compiled shapes: the checks to run in a store. Build it with :func:`compile_shapes`."""

    checks: list[Check]

    def validate(
        self,
        store: ox.Store,
        *,
        focus: Collection[Node] | None = None,
        timeout_s: float | None = None,
        timings: dict[str, float] | None = None,
        workers: int | None = None,
        precomputed: Mapping[str, list[dict[str, Term]]] | None = None,
    ) -> ValidationResult:
        """Run every check in *store* (its named graphs as one union default graph).

        With *focus*, only those focus nodes are checked (the entities an incremental build touched); the
        whole-graph SPARQL checks, whose focus node is a fixed node, keep the results whose ``?value`` (or any
        other node they return) is in *focus*. *timeout_s* bounds the whole run: it is checked between queries
        and while reading results (a query that is already running is not interrupted). *timings*, when given,
        receives the seconds each check took, keyed ``"<shape> <path> <component>"``. Checks run on *workers*
        threads (default: two, or one on a single core); Oxigraph releases the GIL while it evaluates.
        *precomputed* gives the rows of SPARQL-based constraints answered elsewhere, by shape (as
        :attr:`Check.shape` names it), without ``$this``: the caller vouches that they are the query's rows
        (:mod:`kg.store.references` for the dangling-reference check), or with *focus* at least every row of the query
        that names a focus node (rows that name none are dropped as they are from the query's own).
        """
        return _Run(self, store, focus, timeout_s, timings, workers, precomputed).run()

    def check_for(self, shape: str) -> Check | None:
        """The first check of *shape* (named as :attr:`Check.shape` names it), if any."""
        return next((c for c in self.checks if c.shape == shape), None)


def compile_shapes(shapes: Iterable[ox.Quad] | ox.Store) -> ShapeProgram:
    """Compile a SHACL shapes graph (quads in any graph, or a store holding it) into a :class:`ShapeProgram`.

    Raises :class:`~kg.errors.UnsupportedShape` for any SHACL feature outside the supported subset.
    """
    quads = shapes.quads_for_pattern(None, None, None, None) if isinstance(shapes, ox.Store) else shapes
    return ShapeProgram(checks=_Compiler(_Graph(quads)).compile())


# ---------------------------------------------------------------------------------------------- shapes graph


class _Graph:
    """The shapes graph as subject → predicate → objects (graph names dropped, duplicates removed)."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.out: dict[Node, dict[ox.NamedNode, list[Term]]] = {}
        for q in quads:
            s, p, o = q.subject, q.predicate, q.object
            if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
                continue
            objs = self.out.setdefault(s, {}).setdefault(p, [])
            if o not in objs:
                objs.append(o)
        for preds in self.out.values():  # the same program whatever order the statements came in
            for objs in preds.values():
                objs.sort(key=str)

    def objects(self, s: Term, p: ox.NamedNode) -> list[Term]:
        if isinstance(s, ox.Literal):
            return []
        return list(self.out.get(s, {}).get(p, ()))

    def sh(self, s: Term, name: str) -> list[Term]:
        return self.objects(s, _sh(name))

    def items(self, head: Term, owner: Term, term: str) -> list[Term]:
        """The members of the RDF list at *head*."""
        out: list[Term] = []
        node = head
        seen: set[Term] = set()
        while node != _NIL:
            first, rest = self.objects(node, _FIRST), self.objects(node, _REST)
            if node in seen or len(first) != 1 or len(rest) != 1:
                raise UnsupportedShape(f"{_name(owner)}: the value of {term} is not a well-formed RDF list.")
            seen.add(node)
            out.append(first[0])
            node = rest[0]
        return out


def _name(node: Term) -> str:
    """A shape as error messages name it."""
    if isinstance(node, ox.NamedNode):
        return f"<{node.value}>"
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    return str(node)


# ---------------------------------------------------------------------------------------------- compiler


@dataclass(frozen=True)
class _Focus:
    """How a check's query finds its focus nodes: all of them (``bulk``, a group binding ?this), or the few of
    an incremental run (``focused``: from ``⟦matched⟧``, the run's focus nodes that are targets of the root
    shape, along the sh:node paths; ``target`` finds those from ``⟦values⟧``)."""

    bulk: str
    focused: str
    target: str

    def step(self, path: str, var: str) -> _Focus:
        """The focus of a shape used through sh:node on the values of *path*: those values."""
        def down(text: str) -> str:
            renamed = re.sub(r"\?this\b", var, text)
            hop = f"{{ SELECT {var} ?this WHERE {{ {var} {path} ?this }} }}"
            return f"{{ SELECT DISTINCT ?this WHERE {{ {renamed} {hop} }} }}"
        return _Focus(down(self.bulk), down(self.focused), self.target)


class _Compiler:
    def __init__(self, g: _Graph) -> None:
        self.g = g
        self.checks: list[Check] = []
        self.n = 0
        self.names = _Names(g)
        #: The sh:minCount 1 checks by the focus they run on: (check index, property).
        self.min_counts: dict[str, list[tuple[int, str]]] = {}

    # -- driver

    def compile(self) -> list[Check]:
        try:
            self._refuse_unsupported()
            roots = [s for s in self.g.out if any(self.g.sh(s, t) for t in _TARGETS)]
            for root in sorted(roots, key=_name):
                if self._deactivated(root):
                    continue
                focus = self._target_pattern(root)
                if self.g.sh(root, "path"):
                    self._property(root, focus, None)
                else:
                    self._node(root, focus, None, ())
        except UnsupportedShape as exc:  # name the shape a blank node shape belongs to
            raise UnsupportedShape(re.sub(r"_:(\w+)", lambda m: self._within(m.group(0)), str(exc))) from None
        self._group_min_counts()
        return self.checks

    def _group_min_counts(self) -> None:
        """Give the sh:minCount 1 checks that share their focus nodes a probe that looks for all of them."""
        for focus, members in self.min_counts.items():
            if len(members) < 2:
                continue
            having = " ".join(f"{{ SELECT ?this WHERE {{ ?this {p} ?_m{k} }} }}" for k, (_, p) in enumerate(members))
            probe = _PREFIXES + f"SELECT ?this WHERE {{ {focus} MINUS {{ {having} }} }} LIMIT 1"
            for i, _ in members:
                self.checks[i] = replace(self.checks[i], group_probe=probe)

    def _within(self, label: str) -> str:
        """``_:b`` followed by the named shape it belongs to, if any."""
        parents = {o: s for s, preds in self.g.out.items() for objs in preds.values() for o in objs}
        node: Term | None = ox.BlankNode(label[2:])
        seen: set[Term] = set()
        while isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            node = parents.get(node)
        return f"{label} (in {_name(node)})" if isinstance(node, ox.NamedNode) else label

    def _refuse_unsupported(self) -> None:
        classes = {ox.NamedNode(RDFS + "Class"), ox.NamedNode(OWL + "Class")}
        for s, preds in self.g.out.items():
            types = set(preds.get(_TYPE, ()))
            for t in types:
                if isinstance(t, ox.NamedNode) and t.value.startswith(SH) and t.value[len(SH):] not in _SUPPORTED_TYPES:
                    raise UnsupportedShape(f"{_name(s)}: kg.shacl.engine does not support sh:{t.value[len(SH):]}.")
            if types & classes and types & {_sh("NodeShape"), _sh("PropertyShape")}:
                raise UnsupportedShape(
                    f"{_name(s)}: a shape that is also a class (implicit class target) is not supported; "
                    "use sh:targetClass."
                )
            for p in preds:
                if p.value.startswith(SH) and p.value[len(SH):] not in _SUPPORTED:
                    raise UnsupportedShape(f"{_name(s)}: kg.shacl.engine does not support sh:{p.value[len(SH):]}.")
            for o in preds.get(_sh("qualifiedValueShapesDisjoint"), ()):
                if not (isinstance(o, ox.Literal) and o.value == "false"):
                    raise UnsupportedShape(f"{_name(s)}: sh:qualifiedValueShapesDisjoint true is not supported.")
            for o in preds.get(_sh("path"), ()):
                if not isinstance(o, ox.NamedNode):
                    raise UnsupportedShape(
                        f"{_name(s)}: only a single IRI is supported as sh:path (complex paths are not)."
                    )

    # -- helpers

    def _var(self, stem: str = "v") -> str:
        self.n += 1
        return f"?_{stem}{self.n}"

    def _deactivated(self, shape: Term) -> bool:
        vals = self.g.sh(shape, "deactivated")
        if len(vals) > 1:
            raise UnsupportedShape(f"{_name(shape)}: more than one sh:deactivated.")
        return bool(vals) and isinstance(vals[0], ox.Literal) and vals[0].value in ("true", "1")

    def _one(self, shape: Term, name: str) -> Term | None:
        vals = self.g.sh(shape, name)
        if len(vals) > 1:
            raise UnsupportedShape(f"{_name(shape)}: more than one sh:{name}.")
        return vals[0] if vals else None

    def _int(self, shape: Term, name: str) -> int | None:
        val = self._one(shape, name)
        if val is None:
            return None
        if not (isinstance(val, ox.Literal) and val.datatype.value.startswith(XSD)
                and re.fullmatch(r"[+]?\d+", val.value)):
            raise UnsupportedShape(f"{_name(shape)}: sh:{name} must be a non-negative integer, not {val}.")
        return int(val.value)

    def _severity(self, shape: Term) -> str:
        sev = self._one(shape, "severity")
        if sev is None:
            return "sh:Violation"
        if not isinstance(sev, ox.NamedNode) or sev.value not in _SEVERITIES:
            raise UnsupportedShape(f"{_name(shape)}: unsupported sh:severity {sev}.")
        return "sh:" + sev.value[len(SH):]

    def _message(self, shape: Term) -> str | None:
        msgs = [m for m in self.g.sh(shape, "message") if isinstance(m, ox.Literal)]
        if not msgs:
            return None
        # pySHACL attaches every sh:message; a report reader sees one of them. Prefer English, then the first.
        msgs.sort(key=lambda m: (m.language not in ("en", None), m.language or "", m.value))
        return msgs[0].value

    def _path_text(self, shape: Term) -> str:
        path = self._one(shape, "path")
        assert isinstance(path, ox.NamedNode)
        return term_text(rdflib.URIRef(path.value))

    def _emit(self, check: Check) -> int:
        self.checks.append(check)
        return len(self.checks) - 1

    # -- targets

    def _target_pattern(self, shape: Node) -> _Focus:
        """The focus nodes of *shape*: a group binding ?this to each, once (DISTINCT); and the test of one."""
        parts: list[str] = []
        tests: list[str] = []
        classes: list[ox.NamedNode] = []
        for c in self.g.sh(shape, "targetClass"):
            if not isinstance(c, ox.NamedNode):
                raise UnsupportedShape(f"{_name(shape)}: sh:targetClass {c} is not an IRI.")
            classes.append(c)
        if classes:
            ordered = sorted(classes, key=str)
            subs = " ".join(f"⟦sub {_iri(c)}⟧" for c in ordered)
            parts.append(f"?this rdf:type ?_tc . VALUES ?_tc {{ {subs} }}")
            tests.append("EXISTS { ?this rdf:type ?_tc . FILTER(?_tc IN ("
                         + ", ".join(f"⟦subs {_iri(c)}⟧" for c in ordered) + ")) }")
        nodes = self.g.sh(shape, "targetNode")
        if nodes:
            parts.append("VALUES ?this { " + " ".join(_sparql_term(n) for n in nodes) + " }")
            tests.append("?this IN (" + ", ".join(_sparql_term(n) for n in nodes) + ")")
        for p in self.g.sh(shape, "targetSubjectsOf"):
            if not isinstance(p, ox.NamedNode):
                raise UnsupportedShape(f"{_name(shape)}: sh:targetSubjectsOf {p} is not an IRI.")
            parts.append(f"?this {_iri(p)} ?_ts")
            tests.append(f"EXISTS {{ ?this {_iri(p)} ?_ts }}")
        for p in self.g.sh(shape, "targetObjectsOf"):
            if not isinstance(p, ox.NamedNode):
                raise UnsupportedShape(f"{_name(shape)}: sh:targetObjectsOf {p} is not an IRI.")
            parts.append(f"?_to {_iri(p)} ?this")
            tests.append(f"EXISTS {{ ?_to {_iri(p)} ?this }}")
        body = parts[0] if len(parts) == 1 else " UNION ".join("{ " + p + " }" for p in parts)
        return _Focus(
            bulk="{ SELECT DISTINCT ?this WHERE { " + body + " } }",
            focused="{ VALUES ?this { ⟦matched⟧ } }",
            target=_PREFIXES + "SELECT DISTINCT ?this WHERE { VALUES ?this { ⟦values⟧ } FILTER("
            + " || ".join(tests) + ") }",
        )

    # -- node shapes (the value is the focus node)
    #
    # Every check has two forms. For a whole-store run, Oxigraph is best at joining independent sub-SELECTs
    # (hash joins over scans) and subtracting with MINUS; a FILTER [NOT] EXISTS costs an index lookup per row,
    # which dominates on a store on disk. For an incremental run on a few focus nodes, lookups from those nodes
    # are what is cheap. Value tests run on the DISTINCT values of a path.

    def _emit_check(self, focus: _Focus, bulk: str, focused: str, select: str, **fields: object) -> int:
        return self._emit(Check(
            sparql=_PREFIXES + f"SELECT DISTINCT {select} WHERE {{ {bulk} }}",
            focused=_PREFIXES + f"SELECT DISTINCT {select} WHERE {{ {focused} }}",
            focus=focus.bulk, focused_focus=focus.focused, target=focus.target,
            **fields,  # type: ignore[arg-type]
        ))

    def _node(self, shape: Node, focus: _Focus, parent: int | None, seen: tuple[Term, ...]) -> None:
        """Checks for node shape *shape* on the focus nodes bound by *focus*."""
        if shape in seen:
            raise UnsupportedShape(f"{_name(shape)}: recursive shapes (via sh:node) are not supported.")
        if self.g.sh(shape, "path"):
            raise UnsupportedShape(f"{_name(shape)}: sh:node must name a node shape, not a property shape.")
        seen = (*seen, shape)
        for name in ("minCount", "maxCount", "qualifiedValueShape", "qualifiedMinCount"):
            if self.g.sh(shape, name):
                raise UnsupportedShape(f"{_name(shape)}: sh:{name} on a node shape (one without sh:path).")
        severity, message = self._severity(shape), self._message(shape)
        for c in self._value_constraints(shape):
            text, mode = c.message(self, message)
            common: dict[str, object] = {
                "shape": _name(shape), "path": "", "message": text, "severity": severity,
                "component": SH + c.component, "message_mode": mode, "parent": parent, "kind": "self"}
            if c.name == "node":  # decided by the nested shape's own results (reported too, as pySHACL does)
                assert isinstance(c.arg, (ox.NamedNode, ox.BlankNode))
                where = "⟦focus⟧ ⟦failing ?this⟧"
                idx = self._emit_check(focus, where, where, "?this", from_nested=True, **common)
                if not self._deactivated(c.arg):
                    self._node(c.arg, focus, idx, seen)
                continue
            cond = self._value_cond(shape, c, "?this")
            test = f"⟦focus⟧ FILTER(!COALESCE({cond.sparql}, false))"
            bulk = f"⟦focus⟧ MINUS {{ {cond.positive} }}" if cond.positive else test
            self._emit_check(focus, bulk, test, "?this", recheck=cond.python, **common)
        for prop in self.g.sh(shape, "property"):
            if not isinstance(prop, (ox.NamedNode, ox.BlankNode)) or not self.g.sh(prop, "path"):
                raise UnsupportedShape(f"{_name(shape)}: sh:property {prop} is not a property shape with sh:path.")
            if not self._deactivated(prop):
                owner = _name(prop) if isinstance(prop, ox.NamedNode) else _name(shape)
                self._property(prop, focus, parent, seen, owner)
        for constraint in self.g.sh(shape, "sparql"):
            if parent is not None:
                raise UnsupportedShape(f"{_name(shape)}: sh:sparql in a shape used through sh:node.")
            self._sparql(shape, constraint, focus.bulk)

    # -- property shapes

    def _property(
        self, shape: Node, focus: _Focus, parent: int | None, seen: tuple[Term, ...] = (), owner: str | None = None
    ) -> None:
        """Checks for property shape *shape* on the focus nodes bound by *focus*; *owner* names it in results
        (an anonymous property shape goes by the node shape that holds it)."""
        if shape in seen:
            raise UnsupportedShape(f"{_name(shape)}: recursive shapes are not supported.")
        seen = (*seen, shape)
        for name in ("property", "sparql"):
            if self.g.sh(shape, name):
                raise UnsupportedShape(f"{_name(shape)}: sh:{name} on a property shape is not supported.")
        path = self._one(shape, "path")
        assert isinstance(path, ox.NamedNode)
        p, path_text = _iri(path), self._path_text(shape)
        severity, message = self._severity(shape), self._message(shape)
        path_n3 = self.names.shape_text(path)
        pairs = f"{{ SELECT ?this ?value WHERE {{ ?this {p} ?value }} }}"

        def emit(bulk: str, focused: str, kind: str, text: str, mode: str, component: str,
                 recheck: _Py | None = None, from_nested: bool = False, probe: str = "") -> int:
            return self._emit_check(
                focus, bulk, focused, "?this ?value" if kind == "value" else "?this", shape=owner or _name(shape),
                path=path_text, message=text, severity=severity, component=SH + component, kind=kind,
                message_mode=mode, parent=parent, recheck=recheck, from_nested=from_nested,
                probe=_PREFIXES + f"SELECT * WHERE {{ {probe} }} LIMIT 1" if probe else "")

        min_count = self._int(shape, "minCount")
        if min_count:
            text, mode = (message, "static") if message else (
                f"Less than {min_count} values on {_NODE}->{path_n3}", "focus")
            if min_count == 1:
                idx = emit(f"⟦focus⟧ MINUS {{ ?this {p} ?_x }}", f"⟦focus⟧ FILTER NOT EXISTS {{ ?this {p} ?_x }}",
                           "focus", text, mode, "MinCountConstraintComponent")
                self.min_counts.setdefault(focus.bulk, []).append((idx, p))
            else:
                where = (f"{{ SELECT ?this WHERE {{ ⟦focus⟧ OPTIONAL {{ ?this {p} ?value }} }} GROUP BY ?this "
                         f"HAVING (COUNT(DISTINCT ?value) < {min_count}) }}")
                emit(where, where, "focus", text, mode, "MinCountConstraintComponent")
        max_count = self._int(shape, "maxCount")
        if max_count is not None:
            text, mode = (message, "static") if message else (
                f"More than {max_count} values on {_NODE}->{path_n3}", "focus")
            if max_count == 0:
                emit(f"{{ SELECT DISTINCT ?this WHERE {{ ?this {p} ?_x }} }} ⟦focus⟧", f"⟦focus⟧ ?this {p} ?_x",
                     "focus", text, mode, "MaxCountConstraintComponent", probe=f"?this {p} ?_x")
            else:
                having = f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_x) > {max_count})"
                too_many = f"{{ SELECT ?this WHERE {{ ?this {p} ?_x }} {having} }}"
                emit(f"{too_many} ⟦focus⟧", f"{{ SELECT ?this WHERE {{ ⟦focus⟧ ?this {p} ?_x }} {having} }}",
                     "focus", text, mode, "MaxCountConstraintComponent", probe=too_many)
        values = f"{{ SELECT DISTINCT ?value WHERE {{ ?_s {p} ?value }} }}"
        for c in self._value_constraints(shape):
            text, mode = c.message(self, message)
            if c.name == "node":  # decided by the nested shape's own results (reported too, as pySHACL does)
                assert isinstance(c.arg, (ox.NamedNode, ox.BlankNode))
                idx = emit(f"⟦focus⟧ {pairs} ⟦failing ?value⟧", f"⟦focus⟧ ?this {p} ?value ⟦failing ?value⟧",
                           "value", text, mode, c.component, from_nested=True)
                if not self._deactivated(c.arg):
                    self._node(c.arg, focus.step(p, self._var("f")), idx, seen)
                continue
            cond = self._value_cond(shape, c, "?value")
            if cond.positive:
                failing = f"{{ SELECT ?value WHERE {{ {values} MINUS {{ {cond.positive} }} }} }}"
            else:
                failing = f"{{ SELECT ?value WHERE {{ {values} FILTER(!COALESCE({cond.sparql}, false)) }} }}"
            emit(f"{failing} {pairs} ⟦focus⟧",
                 f"⟦focus⟧ ?this {p} ?value . FILTER(!COALESCE({cond.sparql}, false))",
                 "value", text, mode, c.component, cond.python, probe=failing)
        qualified = self.g.sh(shape, "qualifiedValueShape")
        if qualified:
            q_min = self._int(shape, "qualifiedMinCount")
            if q_min is None:
                raise UnsupportedShape(f"{_name(shape)}: sh:qualifiedValueShape needs sh:qualifiedMinCount "
                                       "(sh:qualifiedMaxCount is not supported).")
            for vs in qualified:
                if not isinstance(vs, (ox.NamedNode, ox.BlankNode)):
                    raise UnsupportedShape(f"{_name(shape)}: sh:qualifiedValueShape {vs} is not a shape.")
                if q_min == 0 or self._deactivated(vs):
                    continue
                xs = [self._var("q") for _ in range(q_min)]
                conds = [self._shape_cond(vs, x, seen) for x in xs]
                distinct = [f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:]]
                filters = " && ".join([*(f"COALESCE({c.sparql}, false)" for c in conds), *distinct])
                binds = " . ".join(f"?this {p} {x}" for x in xs)
                focused = f"⟦focus⟧ FILTER NOT EXISTS {{ {binds} . FILTER({filters}) }}"
                if q_min == 1:
                    inner = f"{binds} . {conds[0].positive}" if conds[0].positive else f"{binds} . FILTER({filters})"
                    bulk = f"⟦focus⟧ MINUS {{ SELECT ?this WHERE {{ {inner} }} }}"
                else:
                    bulk = focused
                if message:
                    text = message
                else:
                    many = len(qualified) > 1
                    shapes_text = ",".join(self.names.shape_text(s) for s in qualified)
                    text = (f"Focus node does not conform to shape{'s' if many else ''} MinCount {q_min}: "
                            + (f"({shapes_text})" if many else shapes_text))
                emit(bulk, focused, "focus", text, "static", "QualifiedMinCountConstraintComponent")
        elif self.g.sh(shape, "qualifiedMinCount"):
            raise UnsupportedShape(f"{_name(shape)}: sh:qualifiedMinCount without sh:qualifiedValueShape.")

    # -- value-level constraints

    def _value_constraints(self, shape: Term) -> list[_Constraint]:
        """The constraints of *shape* that judge each value node on its own, one per rule as pySHACL reports."""
        g, out = self.g, []
        for c in g.sh(shape, "class"):
            out.append(_Constraint("class", c, "ClassConstraintComponent", tuple(g.sh(shape, "class"))))
        dt = self._one(shape, "datatype")
        if dt is not None:
            out.append(_Constraint("datatype", dt, "DatatypeConstraintComponent", (dt,)))
        kind = self._one(shape, "nodeKind")
        if kind is not None:
            out.append(_Constraint("nodeKind", kind, "NodeKindConstraintComponent", (kind,)))
        for pat in g.sh(shape, "pattern"):
            out.append(_Constraint("pattern", pat, "PatternConstraintComponent", tuple(g.sh(shape, "pattern"))))
        langs = self._one(shape, "languageIn")
        if langs is not None:
            out.append(_Constraint("languageIn", langs, "LanguageInConstraintComponent", (langs,)))
        for m in g.sh(shape, "minInclusive"):
            out.append(_Constraint("minInclusive", m, "MinInclusiveConstraintComponent",
                                   tuple(g.sh(shape, "minInclusive"))))
        length = self._int(shape, "minLength")
        if length is not None:
            lit = self._one(shape, "minLength")
            assert lit is not None
            out.append(_Constraint("minLength", lit, "MinLengthConstraintComponent", (lit,)))
        for n in g.sh(shape, "node"):
            out.append(_Constraint("node", n, "NodeConstraintComponent", tuple(g.sh(shape, "node"))))
        for o in g.sh(shape, "or"):
            out.append(_Constraint("or", o, "OrConstraintComponent", tuple(g.sh(shape, "or"))))
        return out

    def _value_cond(self, shape: Term, c: _Constraint, v: str, seen: tuple[Term, ...] = ()) -> _Cond:
        """SPARQL (and, where rdflib may judge differently, Python) test that *v* satisfies constraint *c*."""
        arg = c.arg
        if c.name == "class":
            if not isinstance(arg, ox.NamedNode):
                raise UnsupportedShape(f"{_name(shape)}: sh:class {arg} is not an IRI.")
            t = self._var("t")
            pattern = f"{v} rdf:type {t} . VALUES {t} {{ ⟦sub {_iri(arg)}⟧ }}"
            test = f"EXISTS {{ {v} rdf:type {t} . FILTER({t} IN (⟦subs {_iri(arg)}⟧)) }}"
            return _Cond(test, _PyClass(), pattern)
        if c.name == "datatype":
            if not isinstance(arg, ox.NamedNode):
                raise UnsupportedShape(f"{_name(shape)}: sh:datatype {arg} is not an IRI.")
            return _datatype_cond(shape, arg.value, v)
        if c.name == "nodeKind":
            kind = arg.value[len(SH):] if isinstance(arg, ox.NamedNode) and arg.value.startswith(SH) else ""
            if kind not in _NODE_KINDS:
                raise UnsupportedShape(f"{_name(shape)}: unknown sh:nodeKind {arg}.")
            return _Cond(_NODE_KINDS[kind].format(v=v), _PyNodeKind(kind))
        if c.name == "pattern":
            if not isinstance(arg, ox.Literal):
                raise UnsupportedShape(f"{_name(shape)}: sh:pattern {arg} is not a literal.")
            try:
                python = _PyPattern(arg.value)
            except re.error as exc:
                raise UnsupportedShape(f"{_name(shape)}: sh:pattern {arg.value!r} is not a regular expression: "
                                       f"{exc}") from None
            regex = _sparql_string(_rust_regex(arg.value))
            probe = ox.Store().query(f"SELECT (REGEX(\"\", {regex}) AS ?ok) WHERE {{}}")
            assert isinstance(probe, ox.QuerySolutions)
            if next(probe)["ok"] is None:  # Oxigraph's (Rust) regex syntax refuses it: every value would fail
                raise UnsupportedShape(f"{_name(shape)}: sh:pattern {arg.value!r} uses regular expression syntax "
                                       "Oxigraph does not support (look-around or back-references?).")
            return _Cond(f"(!isBlank({v}) && REGEX(STR({v}), {regex}))", python)
        if c.name == "languageIn":
            tags = self.g.items(arg, shape, "sh:languageIn")
            if not all(isinstance(t, ox.Literal) for t in tags):
                raise UnsupportedShape(f"{_name(shape)}: sh:languageIn holds something other than strings.")
            wanted = sorted({t.value.lower() for t in tags if isinstance(t, ox.Literal)})
            if "*" in wanted:
                return _Cond(f"(isLiteral({v}) && LANG({v}) != \"\")", _PyLang(("*",)))
            if not wanted:
                return _Cond("false", _PyLang(()))
            if not any("-" in w for w in wanted):
                # the same test (the whole tag, or its first subtag, is one of them, ignoring case), but
                # langMatches reads the tag once and makes no new strings: about half the time of the one below
                matches = " || ".join(f"langMatches(LANG({v}), {_sparql_string(w)})" for w in wanted)
                return _Cond(f"(isLiteral({v}) && ({matches}))", _PyLang(tuple(wanted)))
            ins = ", ".join(_sparql_string(w) for w in wanted)
            return _Cond(
                f"(isLiteral({v}) && LANG({v}) != \"\" && (LCASE(LANG({v})) IN ({ins})"
                f" || LCASE(STRBEFORE(LANG({v}), \"-\")) IN ({ins})))",
                _PyLang(tuple(wanted)),
            )
        if c.name == "minInclusive":
            if not isinstance(arg, ox.Literal):
                raise UnsupportedShape(f"{_name(shape)}: sh:minInclusive {arg} is not a literal.")
            return _Cond(f"(isLiteral({v}) && {v} >= {_sparql_term(arg)})", _PyMinInclusive(arg))
        if c.name == "minLength":
            assert isinstance(arg, ox.Literal)
            n = int(arg.value)
            if n == 0:
                return _Cond("true", _PyConst(True))
            return _Cond(f"(!isBlank({v}) && STRLEN(STR({v})) >= {n})", _PyMinLength(n))
        if c.name == "node":
            if not isinstance(arg, (ox.NamedNode, ox.BlankNode)):
                raise UnsupportedShape(f"{_name(shape)}: sh:node {arg} is not a shape.")
            return self._shape_cond(arg, v, seen)
        if c.name == "or":
            members = self.g.items(arg, shape, "sh:or")
            conds = []
            for m in members:
                if not isinstance(m, (ox.NamedNode, ox.BlankNode)):
                    raise UnsupportedShape(f"{_name(shape)}: sh:or member {m} is not a shape.")
                conds.append(self._shape_cond(m, v, seen))
            if not conds:
                return _Cond("true", _PyConst(True))
            positive = None
            if all(c.positive for c in conds):
                positive = " UNION ".join("{ " + str(c.positive) + " }" for c in conds)
            return _Cond("(" + " || ".join(f"COALESCE({c.sparql}, false)" for c in conds) + ")",
                         _PyAny(tuple(c.python for c in conds)), positive)
        raise AssertionError(c.name)  # pragma: no cover

    def _shape_cond(self, shape: Node, v: str, seen: tuple[Term, ...]) -> _Cond:
        """SPARQL test that *v* conforms to *shape* (no result of any severity), as sh:node/sh:or/qualified use."""
        if shape in seen:
            raise UnsupportedShape(f"{_name(shape)}: recursive shapes are not supported.")
        seen = (*seen, shape)
        if self._deactivated(shape):
            return _Cond("true", _PyConst(True))
        if self.g.sh(shape, "sparql"):
            raise UnsupportedShape(f"{_name(shape)}: sh:sparql in a shape used through sh:node, sh:or or "
                                   "sh:qualifiedValueShape is not supported.")
        parts: list[_Cond] = []
        path = self._one(shape, "path")
        if path is None:
            for name in ("minCount", "maxCount", "qualifiedValueShape"):
                if self.g.sh(shape, name):
                    raise UnsupportedShape(f"{_name(shape)}: sh:{name} on a node shape (one without sh:path).")
            parts += [self._value_cond(shape, c, v, seen) for c in self._value_constraints(shape)]
        else:
            assert isinstance(path, ox.NamedNode)
            p = _iri(path)
            if self.g.sh(shape, "property"):
                raise UnsupportedShape(f"{_name(shape)}: sh:property on a property shape is not supported.")
            min_count = self._int(shape, "minCount")
            if min_count:
                xs = [self._var("m") for _ in range(min_count)]
                distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:])
                binds = " . ".join(f"{v} {p} {x}" for x in xs)
                parts.append(_Cond(f"EXISTS {{ {binds} {'FILTER(' + distinct + ')' if distinct else ''} }}",
                                   _PyConst(False), None if distinct else binds))
            max_count = self._int(shape, "maxCount")
            if max_count is not None:
                xs = [self._var("m") for _ in range(max_count + 1)]
                distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:])
                binds = " . ".join(f"{v} {p} {x}" for x in xs)
                parts.append(_Cond(f"NOT EXISTS {{ {binds} {'FILTER(' + distinct + ')' if distinct else ''} }}",
                                   _PyConst(True)))
            for c in self._value_constraints(shape):
                x = self._var("x")
                inner = self._value_cond(shape, c, x, seen)
                parts.append(_Cond(f"NOT EXISTS {{ {v} {p} {x} . FILTER(!COALESCE({inner.sparql}, false)) }}",
                                   _PyConst(True)))
            for vs in self.g.sh(shape, "qualifiedValueShape"):
                assert isinstance(vs, (ox.NamedNode, ox.BlankNode))
                q_min = self._int(shape, "qualifiedMinCount")
                if q_min is None:
                    raise UnsupportedShape(f"{_name(shape)}: sh:qualifiedValueShape needs sh:qualifiedMinCount.")
                if q_min == 0:
                    continue
                xs = [self._var("q") for _ in range(q_min)]
                conds = [self._shape_cond(vs, x, seen) for x in xs]
                pairs = [f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:]]
                filters = " && ".join([*(f"COALESCE({c.sparql}, false)" for c in conds), *pairs])
                binds = " . ".join(f"{v} {p} {x}" for x in xs)
                parts.append(_Cond(f"EXISTS {{ {binds} . FILTER({filters}) }}", _PyConst(False)))
        for prop in self.g.sh(shape, "property"):
            if not isinstance(prop, (ox.NamedNode, ox.BlankNode)) or not self.g.sh(prop, "path"):
                raise UnsupportedShape(f"{_name(shape)}: sh:property {prop} is not a property shape with sh:path.")
            parts.append(self._shape_cond(prop, v, seen))
        if not parts:
            return _Cond("true", _PyConst(True))
        if len(parts) == 1:
            return parts[0]
        return _Cond("(" + " && ".join(f"COALESCE({c.sparql}, false)" for c in parts) + ")",
                     _PyAll(tuple(c.python for c in parts)))

    # -- SPARQL-based constraints

    def _sparql(self, shape: Node, constraint: Term, focus: str) -> None:
        g = self.g
        if not isinstance(constraint, (ox.NamedNode, ox.BlankNode)):
            raise UnsupportedShape(f"{_name(shape)}: sh:sparql {constraint} is not a SPARQL constraint node.")
        if self._deactivated(constraint):
            return
        selects = g.sh(constraint, "select")
        if len(selects) != 1 or not isinstance(selects[0], ox.Literal):
            raise UnsupportedShape(f"{_name(shape)}: a SPARQL constraint needs exactly one sh:select string.")
        select = selects[0].value
        for regex, what in ((_HAS_MINUS, "MINUS"), (_HAS_VALUES, "VALUES"), (_HAS_SERVICE, "SERVICE")):
            if regex.search(select):
                raise UnsupportedShape(f"{_name(shape)}: a SPARQL constraint must not use {what}.")
        bound = {m.group(2) for m in _BINDS.finditer(select)}
        if bound - {"this"}:
            raise UnsupportedShape(f"{_name(shape)}: ${sorted(bound - {'this'})[0]} in a SPARQL constraint is "
                                   "not supported.")
        projection = _PROJECTION.search(select)
        if "this" in bound and not (projection and re.search(r"(^|\s)(\*|[\$\?]this)(\s|$)", projection.group(1))):
            raise UnsupportedShape(f"{_name(shape)}: a SPARQL constraint that uses $this must select it.")
        prefixes = self._declared_prefixes(shape, constraint)
        text = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items()) + "\n" + select
        messages = [m for m in g.sh(constraint, "message") if isinstance(m, ox.Literal)]
        message = self._message(constraint) if messages else self._message(shape)
        self._emit(Check(
            sparql=text, shape=_name(shape), path="",
            message=message if message is not None else "sh:SPARQLConstraintComponent",
            severity=self._severity(shape), component=SH + "SPARQLConstraintComponent", kind="sparql",
            message_mode="bindings" if message is not None else "static", focus=focus,
            restrict=_always_bound(select), bulk_sparql=_hash_join_form(text),
        ))

    def _declared_prefixes(self, shape: Node, constraint: Node) -> dict[str, str]:
        g = self.g
        ontologies = [s for s, ps in g.out.items() if ox.NamedNode(OWL + "Ontology") in ps.get(_TYPE, ())]
        out: dict[str, str] = {}
        for holder in g.sh(constraint, "prefixes"):
            declares = list(g.sh(holder, "declare"))
            if not (declares and holder in ontologies):
                for o in ontologies:
                    declares += g.sh(o, "declare")
            for dec in declares:
                prefix, ns = g.sh(dec, "prefix"), g.sh(dec, "namespace")
                if len(prefix) != 1 or len(ns) != 1 or not isinstance(prefix[0], ox.Literal):
                    raise UnsupportedShape(f"{_name(shape)}: sh:declare {dec} needs one sh:prefix and one "
                                           "sh:namespace.")
                out[prefix[0].value] = ns[0].value
        return out


@dataclass(frozen=True)
class _Constraint:
    name: str
    arg: Term
    component: str
    #: Every value of the same parameter on the shape (pySHACL's default message names them all).
    all_args: tuple[Term, ...]

    def message(self, comp: _Compiler, message: str | None) -> tuple[str, str]:
        """The result message (and how to fill it in), pySHACL's default when the shape has no sh:message."""
        if message is not None:
            return message, "static"
        names = comp.names
        args = self.all_args
        if self.name == "class":
            if len(args) < 2:
                return f"Value does not have class {names.shape_text(args[0])}", "static"
            return "Value class is not in classes ({})".format(", ".join(names.shape_text(a) for a in args)), "static"
        if self.name == "datatype":
            return f"Value is not Literal with datatype {names.shape_text(self.arg)}", "static"
        if self.name == "nodeKind":
            return f"Value is not of Node Kind {names.shape_text(self.arg)}", "static"
        if self.name == "pattern":
            if len(args) < 2:
                return f"Value does not match pattern '{_literal_value(self.arg)}'", "static"
            return "Value does not match every pattern in ('{}')".format(
                "', '".join(_literal_value(a) for a in args)), "static"
        if self.name == "languageIn":
            return f"String language is not in {names.shape_text(self.arg)}", "static"
        if self.name == "minInclusive":
            if len(args) < 2:
                return f"Value is not >= {names.shape_text(self.arg)}", "static"
            return "Value is not >= in ({})".format(", ".join(names.shape_text(a) for a in args)), "static"
        if self.name == "minLength":
            return f"String length not >= {names.shape_text(self.arg)}", "static"
        if self.name == "node":
            if len(args) < 2:
                return (f"Value does not conform to Shape {names.shape_text(self.arg)}. "
                        "See details for more information."), "static"
            rules = "', '".join(names.shape_text(a) for a in args)
            return f"Value must conform to every Shape in ('{rules}'). See details for more information.", "static"
        if self.name == "or":
            if len(args) < 2:
                members = " , ".join(names.shape_text(m) for m in comp.g.items(self.arg, self.arg, "sh:or"))
            else:
                members = " and ".join(
                    "(" + " , ".join(names.shape_text(m) for m in comp.g.items(a, a, "sh:or")) + ")" for a in args)
            return f"Node {_NODE} must conform to one or more shapes in {members}", "value"
        raise AssertionError(self.name)  # pragma: no cover


# ---------------------------------------------------------------------------------------------- datatypes


def _datatype_cond(shape: Term, dt: str, v: str) -> _Cond:
    """``v`` is a literal of datatype *dt* that is not ill-typed, as pySHACL decides on an rdflib graph."""
    py = _PyDatatype(dt)
    if dt == XSD + "string":
        return _Cond(f"(isLiteral({v}) && DATATYPE({v}) = xsd:string)", py)
    if dt == RDF + "langString":
        return _Cond(f"(isLiteral({v}) && LANG({v}) != \"\")", py)
    if dt == RDFS + "Literal":
        return _Cond(f"isLiteral({v})", py)
    local = dt[len(XSD):] if dt.startswith(XSD) else None
    if local is None or local in _PLAIN_TYPES:
        return _Cond(f"(isLiteral({v}) && DATATYPE({v}) = {_iri(ox.NamedNode(dt))})", py)
    if local in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[local]
        bounds = (f" && {v} >= {low}" if low is not None else "") + (f" && {v} <= {high}" if high is not None else "")
        return _Cond(f"(isLiteral({v}) && DATATYPE({v}) = xsd:integer{bounds})", py)
    if local in _VALUE_TYPES:
        test = _VALUE_TYPES[local].format(v=v)
        return _Cond(f"(isLiteral({v}) && DATATYPE({v}) = xsd:{local} && {test})", py)
    raise UnsupportedShape(f"{_name(shape)}: sh:datatype xsd:{local} is not supported.")


# The Python side of a condition: how pySHACL would judge a *literal* value node. Used only to re-check the
# literals a query rejected, because rdflib reads some lexical forms Oxigraph does not ("1e5"^^xsd:decimal).
# Literals have no outgoing statements, so every path has no values: that settles the property parts.


class _Cond:
    """A test on one variable: a SPARQL expression, optionally the group pattern of the nodes that pass it (a
    set a query can subtract with MINUS instead of testing row by row), and the Python re-check of literals."""

    __slots__ = ("positive", "python", "sparql")

    def __init__(self, sparql: str, python: _Py, positive: str | None = None) -> None:
        self.sparql = sparql
        self.python: _Py = python
        self.positive = positive


class _Py:
    def accepts(self, lit: rdflib.Literal) -> bool:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class _PyConst(_Py):
    value: bool

    def accepts(self, lit: rdflib.Literal) -> bool:
        return self.value


@dataclass(frozen=True)
class _PyClass(_Py):
    def accepts(self, lit: rdflib.Literal) -> bool:
        return False


@dataclass(frozen=True)
class _PyAll(_Py):
    parts: tuple[_Py, ...]

    def accepts(self, lit: rdflib.Literal) -> bool:
        return all(p.accepts(lit) for p in self.parts)


@dataclass(frozen=True)
class _PyAny(_Py):
    parts: tuple[_Py, ...]

    def accepts(self, lit: rdflib.Literal) -> bool:
        return any(p.accepts(lit) for p in self.parts)


@dataclass(frozen=True)
class _PyNodeKind(_Py):
    kind: str

    def accepts(self, lit: rdflib.Literal) -> bool:
        return "literal" in _NODE_KIND_ACCEPTS[self.kind]


@dataclass(frozen=True)
class _PyPattern(_Py):
    pattern: str

    def __post_init__(self) -> None:
        re.compile(self.pattern)  # pySHACL compiles it with re (so a bad one fails here, as it does there)

    def accepts(self, lit: rdflib.Literal) -> bool:
        return bool(re.search(self.pattern, _string_value(lit)))


@dataclass(frozen=True)
class _PyMinLength(_Py):
    n: int

    def accepts(self, lit: rdflib.Literal) -> bool:
        return len(_string_value(lit)) >= self.n


@dataclass(frozen=True)
class _PyLang(_Py):
    wanted: tuple[str, ...]

    def accepts(self, lit: rdflib.Literal) -> bool:
        lang = (lit.language or "").lower()
        if not lang:
            return False
        return "*" in self.wanted or lang in self.wanted or lang.split("-")[0] in self.wanted


@dataclass(frozen=True)
class _PyMinInclusive(_Py):
    bound: ox.Literal

    def accepts(self, lit: rdflib.Literal) -> bool:
        from pyshacl.rdfutil.compare import compare_literal

        bound = _to_rdflib(self.bound)
        assert isinstance(bound, rdflib.Literal)
        if isinstance(lit.value, str) != isinstance(bound.value, str):
            return False
        try:
            return bool(compare_literal(lit, bound) >= 0)  # type: ignore[no-untyped-call]
        except (TypeError, NotImplementedError):
            return False


@dataclass(frozen=True)
class _PyDatatype(_Py):
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


# ---------------------------------------------------------------------------------------------- terms and text


def _ascii(text: str) -> str:
    """Non-ASCII characters as SPARQL code point escapes, so generated queries are plain ASCII."""
    return "".join(c if ord(c) < 128 else (f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}")
                   for c in text)


def _iri(node: ox.NamedNode) -> str:
    return "<" + _ascii(node.value) + ">"


def _sparql_string(text: str) -> str:
    """A SPARQL string literal holding *text* exactly (quotes, backslashes and line breaks escaped)."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t").replace("\b", "\\b").replace("\f", "\\f"))
    # Braces, '?', '$' and '⟦' as code points too, so no template slot or variable can hide in a string.
    escaped = escaped.replace("{", "\\u007B").replace("}", "\\u007D").replace("?", "\\u003F").replace("$", "\\u0024")
    return '"' + _ascii(escaped) + '"'


def _sparql_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return _iri(term)
    if isinstance(term, ox.BlankNode):
        raise UnsupportedShape(f"a blank node ({term}) cannot be named in a query")
    text = _sparql_string(term.value)
    if term.language:
        return f"{text}@{term.language}"
    return f"{text}^^{_iri(term.datatype)}"


def _rust_regex(pattern: str) -> str:
    """Python ``re`` semantics for ``$`` in Rust regex syntax: end of text or just before a final newline."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\z" if nxt == "Z" and not in_class else c + nxt)
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "^":
                out.append("[^")
                i += 2
                if pattern[i:i + 1] == "]":
                    out.append("]")
                    i += 1
                continue
            if pattern[i + 1:i + 2] == "]":
                out.append("[]")
                i += 2
                continue
        elif c == "$":
            out.append("(?:\\n?\\z)")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _literal_value(term: Term) -> str:
    return term.value if isinstance(term, ox.Literal) else str(term)


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


def _to_rdflib(term: Term) -> rdflib.term.Identifier:
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


def _text(term: Term) -> str:
    """The violation text of a term, exactly as :func:`kg.shacl.report._violations` shows it."""
    return term_text(_to_rdflib(term))


class _Names:
    """pySHACL's ``stringify_node``: how default messages print terms (rdflib's default prefixes)."""

    def __init__(self, g: _Graph | None) -> None:
        self.g = g
        self.nsm = rdflib.Graph().namespace_manager
        self.nsm.bind("sh", rdflib.URIRef(SH), override=False, replace=False)

    def iri(self, value: str) -> str:
        try:
            return rdflib.URIRef(value).n3(namespace_manager=self.nsm)
        except Exception:
            return value

    def literal(self, term: ox.Literal) -> str:
        lit = _to_rdflib(term)
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
        assert self.g is not None
        g = self.g
        return self.text(term, lambda s: [(p, o) for p, os in g.out.get(s, {}).items() for o in os])

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
        if _FIRST in preds:
            items: list[str] = []
            cur: Term = node
            seen: set[Term] = set()
            while isinstance(cur, (ox.NamedNode, ox.BlankNode)) and cur != _NIL and cur not in seen:
                seen.add(cur)
                here = edges(cur)
                items += [self.text(o, edges, depth + 1) for p, o in here if p == _FIRST]
                rests = [o for p, o in here if p == _REST]
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


# ---------------------------------------------------------------------------------------------- running


@dataclass
class _Row:
    focus: Term
    value: Term | None
    bindings: dict[str, Term]


class _Run:
    def __init__(
        self,
        program: ShapeProgram,
        store: ox.Store,
        focus: Collection[Node] | None,
        timeout_s: float | None,
        timings: dict[str, float] | None,
        workers: int | None = None,
        precomputed: Mapping[str, list[dict[str, Term]]] | None = None,
    ) -> None:
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.precomputed = {} if precomputed is None else dict(precomputed)
        self.program = program
        self.store = store
        self.focus: set[Term] | None = None if focus is None else set(focus)
        self.deadline = None if timeout_s is None else time.monotonic() + timeout_s
        self.timeout_s = timeout_s
        self.timings = timings
        self.names = _Names(None)
        self._subs: dict[str, set[str]] | None = None
        self._closure: dict[str, list[str]] = {}
        self._node_text: dict[Term, str] = {}
        self._targets: dict[str, set[Term]] = {}
        self._use_focused: bool | None = None
        #: Group probes asked so far (whether they found a row), each with the lock its first asker holds.
        self._group_probes: dict[str, tuple[threading.Lock, list[bool]]] = {}
        self._lock = threading.Lock()

    # -- plumbing

    def _tick(self, check: Check) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimeout(
                f"SHACL validation ran longer than {self.timeout_s:g} s (at {check.shape} {check.path}); "
                "raise the timeout or validate fewer focus nodes."
            )

    def _select(self, check: Check, text: str, **kwargs: object) -> Iterator[dict[str, Term]]:
        """Run a SELECT; each solution as a dict of its bound variables (RDF-star triples left out)."""
        self._tick(check)
        try:
            results = self.store.query(text, use_default_graph_as_union=True, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:  # a bad sh:select (or a compiler bug): say which shape
            raise UnsupportedShape(f"{check.shape}: its query does not parse: {exc}") from None
        assert isinstance(results, ox.QuerySolutions)
        names = [v.value for v in results.variables]
        for n, row in enumerate(results):
            if n % 1024 == 1023:
                self._tick(check)
            out: dict[str, Term] = {}
            for name in names:
                val = row[name]
                if val is not None and not isinstance(val, ox.Triple):
                    out[name] = val
            yield out

    def closure(self, iri: str) -> list[str]:
        """*iri* (``<…>``) and every class ``rdfs:subClassOf*`` it in the store, as SPARQL terms."""
        if self._subs is None:
            subs: dict[str, set[str]] = {}
            q = f"SELECT DISTINCT ?sub ?sup WHERE {{ ?sub <{RDFS}subClassOf> ?sup }}"
            results = self.store.query(q, use_default_graph_as_union=True)
            assert isinstance(results, ox.QuerySolutions)
            for row in results:
                sub, sup = row["sub"], row["sup"]
                if isinstance(sub, ox.NamedNode) and isinstance(sup, ox.NamedNode):
                    subs.setdefault(_iri(sup), set()).add(_iri(sub))
            self._subs = subs
        if iri not in self._closure:
            seen, todo = {iri}, [iri]
            while todo:
                for s in self._subs.get(todo.pop(), ()):
                    if s not in seen:
                        seen.add(s)
                        todo.append(s)
            self._closure[iri] = sorted(seen)
        return self._closure[iri]

    # -- the run

    def run(self) -> ValidationResult:
        checks = self.program.checks
        rows_of = self._run_checks()
        # pySHACL repeats the results on a value under every sh:node result that points at it.
        weight_of: dict[int, dict[Term, int]] = {}
        for i, check in enumerate(checks):
            if check.parent is None:
                continue
            parent_weights = weight_of.get(check.parent)
            weights: dict[Term, int] = {}
            for r in rows_of[check.parent]:
                node = r.value if r.value is not None else r.focus
                weights[node] = weights.get(node, 0) + (
                    1 if parent_weights is None else parent_weights.get(r.focus, 0))
            weight_of[i] = weights
        top: list[Violation] = []
        nested: list[Violation] = []
        for i, check in enumerate(checks):
            weights_i = weight_of.get(i)
            for r in rows_of[i]:
                count = 1 if weights_i is None else weights_i.get(r.focus, 0)
                (top if weights_i is None else nested).extend([self._violation(check, r)] * count)
        conforms = not any(v.severity == "sh:Violation" for v in top)
        return ValidationResult(conforms=conforms, violations=sorted_violations(top + nested))

    def _run_checks(self) -> dict[int, list[_Row]]:
        """The rows of every check. A sh:node check runs once the checks nested in it are done (it reports the
        values they reported on); the others run in any order, the slow SPARQL-based ones first."""
        checks = self.program.checks
        for check in checks:  # read the class hierarchy once, before the threads start
            for text in (check.sparql, check.focus, check.focused, check.focused_focus, check.target, check.probe,
                         check.group_probe):
                for m in (*_SUB.finditer(text), *_SUBS.finditer(text)):
                    self.closure(m.group(1))
        children: dict[int, list[int]] = {}
        for i, check in enumerate(checks):
            if check.parent is not None:
                children.setdefault(check.parent, []).append(i)
        rows_of: dict[int, list[_Row]] = {}
        waiting = {i: len(children.get(i, ())) for i in range(len(checks))}
        ready = sorted((i for i, n in waiting.items() if n == 0), key=lambda i: (checks[i].kind != "sparql", i))

        def one(i: int) -> list[_Row]:
            check, started = checks[i], time.perf_counter()
            if check.kind == "sparql":
                rows = self._sparql_rows(check)
            elif check.from_nested:
                failing = {r.focus for c in children.get(i, ()) for r in rows_of[c]}
                rows = self._rows(check, failing=failing) if failing else []
            else:
                rows = self._rows(check, nested=check.parent is not None)
            rows = [r for r in rows if not self._rescued(check, r)]
            if self.timings is not None:
                key = " ".join(x for x in (check.shape, check.path, check.component.rsplit("#", 1)[-1]) if x)
                with self._lock:
                    self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - started
            return rows

        def finished(i: int, rows: list[_Row]) -> None:
            rows_of[i] = rows
            parent = checks[i].parent
            if parent is not None:
                waiting[parent] -= 1
                if waiting[parent] == 0:
                    ready.append(parent)

        if self.workers <= 1:
            while ready:
                i = ready.pop(0)
                finished(i, one(i))
            return rows_of
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="kg-shacl")
        running: dict[Future[list[_Row]], int] = {}
        try:
            while ready or running:
                while ready:
                    i = ready.pop(0)
                    running[pool.submit(one, i)] = i
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    finished(running.pop(future), future.result())
        finally:
            pool.shutdown(wait=not running, cancel_futures=True)
        return rows_of

    def _rows(self, check: Check, *, failing: set[Term] | None = None, nested: bool = False) -> list[_Row]:
        """Run *check* for the focus nodes of the run (or all); for a sh:node check, the values in *failing*.

        A few focus nodes (IRIs) are looked up with the check's focused form; otherwise the query runs on every
        node and the rows are filtered here. (A nested check cannot be filtered by the root focus node it came
        from: its rows count only where its sh:node check has a row.)"""
        focus = self.focus
        if focus is not None and not focus:
            return []
        failing_text = " ".join(sorted(str(n) for n in failing)) if failing and _nameable(failing) else ""
        texts: list[str]
        if focus is not None and self._focused():
            matched = sorted(str(n) for n in self._matched(check))
            texts = [check.render(self.closure, failing=failing_text, matched=" ".join(matched[i:i + _MAX_VALUES]))
                     for i in range(0, len(matched), _MAX_VALUES)]
            post_filter = False
        else:
            probe = check.probe_query(self.closure)
            if probe and not any(True for _ in self._select(check, probe)):
                return []  # nothing fails anywhere: no need to join with the pairs and the focus nodes
            if check.group_probe and not self._group_probe(check):
                return []  # no focus node lacks any of the properties
            texts = [check.render(self.closure, failing=failing_text)]
            post_filter = focus is not None and not nested
        out: list[_Row] = []
        for text in texts:
            for row in self._select(check, text):
                node = row.get("this")
                if node is None or (post_filter and focus is not None and node not in focus):
                    continue
                value = row.get("value") if check.kind == "value" else (node if check.kind == "self" else None)
                if failing is not None and not failing_text and value not in failing:
                    continue
                out.append(_Row(node, value, {}))
        return out

    def _group_probe(self, check: Check) -> bool:
        """Whether the group probe of *check* finds a row (asked once per run, whichever check asks first)."""
        with self._lock:
            lock, answer = self._group_probes.setdefault(check.group_probe, (threading.Lock(), []))
        with lock:
            if not answer:
                query = _expand(check.group_probe, self.closure)
                answer.append(any(True for _ in self._select(check, query)))
            return answer[0]

    def _focused(self) -> bool:
        """Whether this run looks its focus nodes up rather than checking the whole store and filtering."""
        with self._lock:
            if self._use_focused is None:
                focus = self.focus
                if focus is None or len(focus) > _FOCUSED_MAX or not _nameable(focus):
                    self._use_focused = False
                elif len(focus) <= _FOCUSED_MIN:
                    self._use_focused = True
                else:
                    results = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{RDF}type> ?t }}",
                                               use_default_graph_as_union=True)
                    assert isinstance(results, ox.QuerySolutions)
                    count = next(results)["n"]
                    typed = int(count.value) if isinstance(count, ox.Literal) else 0
                    self._use_focused = len(focus) * _FOCUSED_RATIO <= typed
            return self._use_focused

    def _matched(self, check: Check) -> set[Term]:
        """The run's focus nodes that are focus nodes of the check's root shape (asked once per root shape)."""
        with self._lock:
            if check.target not in self._targets:
                assert self.focus is not None
                iris = sorted(str(n) for n in self.focus)
                found: set[Term] = set()
                for i in range(0, len(iris), _MAX_VALUES):
                    query = check.target_query(self.closure, " ".join(iris[i:i + _MAX_VALUES]))
                    found.update(row["this"] for row in self._select(check, query) if "this" in row)
                self._targets[check.target] = found
            return self._targets[check.target]

    def _sparql_rows(self, check: Check) -> list[_Row]:
        """Run a SPARQL-based constraint once per focus node of its shape, ``$this`` pre-bound, as pySHACL does.

        In an incremental run (focus nodes given) the rows are kept when ``$this`` or any node they return is a
        focus node; where the query allows it, a trailing ``VALUES`` block asks only for those rows."""
        targets = [row["this"] for row in self._select(check, check.focus_query(self.closure)) if "this" in row]
        uses_this = "this" in {m.group(2) for m in _BINDS.finditer(check.sparql)}
        focus = self.focus
        restricted = focus is not None and bool(check.restrict) and _nameable(focus)
        cache: dict[str, list[dict[str, Term]]] = {}

        given = self.precomputed.get(check.shape)

        def ask(target: Term, tail: str) -> list[dict[str, Term]]:
            if given is not None:
                return [{"this": target, **row} if uses_this else dict(row) for row in given]
            text = check.sparql + tail if tail or not check.bulk_sparql else check.bulk_sparql
            if uses_this:
                return list(self._select(check, text, substitutions={ox.Variable("this"): target}))
            if tail not in cache:  # the same answer for every focus node: ask once
                cache[tail] = list(self._select(check, text))
            return cache[tail]

        out: list[_Row] = []
        for target in targets:
            if focus is None or not restricted or target in focus:
                rows = ask(target, "")
            else:
                assert focus is not None
                iris = sorted(str(n) for n in focus)
                rows = [row for var in check.restrict for i in range(0, len(iris), _MAX_VALUES)
                        for row in ask(target, f"\nVALUES ?{var} {{ {' '.join(iris[i:i + _MAX_VALUES])} }}")]
            seen: set[tuple[tuple[str, str], ...]] = set()  # pySHACL drops repeated rows (per focus node)
            for bindings in rows:
                key = tuple(sorted((k, str(v)) for k, v in bindings.items()))
                if key in seen:
                    continue
                seen.add(key)
                this = bindings.get("this", target)
                if focus is not None and not (
                    this in focus or any(t in focus for t in bindings.values() if not isinstance(t, ox.Literal))
                ):
                    continue
                # No ?value: pySHACL reports (and names in the message) the focus node of a node shape.
                out.append(_Row(this, bindings.get("value", target), {"value": target, **bindings}))
        return out

    def _rescued(self, check: Check, row: _Row) -> bool:
        """True when pySHACL would accept a literal the query rejected (rdflib reads more lexical forms)."""
        if check.recheck is None or not isinstance(row.value, ox.Literal):
            return False
        lit = _to_rdflib(row.value)
        assert isinstance(lit, rdflib.Literal)
        return check.recheck.accepts(lit)

    # -- reporting

    def _violation(self, check: Check, row: _Row) -> Violation:
        message = check.message
        if check.message_mode == "focus":
            message = message.replace(_NODE, self._data_text(row.focus))
        elif check.message_mode == "value" and row.value is not None:
            message = message.replace(_NODE, self._data_text(row.value))
        elif check.message_mode == "bindings":
            message = _substitute(message, row.bindings)
        path = check.path
        if check.kind == "sparql" and isinstance(row.bindings.get("path"), ox.NamedNode):
            path = _text(row.bindings["path"])
        return Violation(
            focus=_text(row.focus),
            path=path,
            message=message,
            value="" if row.value is None or check.kind == "focus" else _text(row.value),
            severity=check.severity,
        )

    def _data_text(self, term: Term) -> str:
        """A data term as pySHACL's default messages print it (blank nodes spelled out from the store)."""
        if term not in self._node_text:
            self._node_text[term] = self.names.text(term, self._edges)
        return self._node_text[term]

    def _edges(self, node: Node) -> list[tuple[ox.NamedNode, Term]]:
        out: list[tuple[ox.NamedNode, Term]] = []
        for q in self.store.quads_for_pattern(node, None, None, None):
            if isinstance(q.object, ox.Triple):
                continue
            edge = (q.predicate, q.object)
            if edge not in out:
                out.append(edge)
        return out


def _blank_out(text: str, fill: str = " ") -> str:
    """*text* with its strings, IRIs and comments replaced by spaces (strings and IRIs by *fill*), so keywords
    and brackets can be found."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j:j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
        elif c == "<" and (m := re.match(r'<[^<>"{}|^`\\\x00-\x20]*>', text[i:])):
            j = i + m.end()
        else:
            i += 1
            continue
        out[i:j] = (" " if c == "#" else fill) * (j - i)
        i = j
    return "".join(out)


def _always_bound(select: str) -> tuple[str, ...]:
    """The projected variables of a SPARQL SELECT that every solution binds, when that is plain to see: the
    query is one basic graph pattern with FILTERs (no OPTIONAL, UNION, subquery …) and the variable occurs in a
    triple pattern. A ``VALUES`` block after such a query restricts exactly those rows; () when unsure. Only
    ``?value`` and subjects of patterns are returned: those are the variables that take entities."""
    text = _blank_out(select)
    words = {w.upper() for w in re.findall(r"[A-Za-z]+", text)}
    if len(re.findall(r"\bSELECT\b", text, flags=re.I)) != 1 or words & {
        "OPTIONAL", "UNION", "MINUS", "GRAPH", "BIND", "SERVICE", "VALUES", "FROM", "GROUP", "HAVING", "LIMIT",
        "OFFSET", "ORDER",
    }:
        return ()
    head = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", text, flags=re.S | re.I)
    if head is None:
        return ()
    projected = re.findall(r"[?$](\w+)", head.group(1)) if "*" not in head.group(1) else None
    body = text[head.end():]
    # Drop FILTER (...) and [NOT] EXISTS {...}: what remains are the triple patterns.
    while (m := re.search(r"\b(FILTER\s*\(|EXISTS\s*\{)", body, flags=re.I)) is not None:
        open_, close = ("(", ")") if m.group(1).endswith("(") else ("{", "}")
        depth, j = 1, m.end()
        while j < len(body) and depth:
            depth += {open_: 1, close: -1}.get(body[j], 0)
            j += 1
        body = body[:m.start()] + " " + body[j:]
    in_patterns = set(re.findall(r"[?$](\w+)", body))
    # Restricting a variable to entities pays when it names entities: ?value, or a subject of a pattern.
    subjects = set(re.findall(r"(?:^|[{.])\s*[?$](\w+)", body)) | {"value"}
    candidates = in_patterns if projected is None else {v for v in projected if v in in_patterns}
    return tuple(sorted((candidates & subjects) - {"this", "path"}))


def _hash_join_form(query: str) -> str:
    """*query* (a SPARQL SELECT) for a whole-store run: each triple pattern of its WHERE group in a sub-SELECT of
    its own, the FILTERs kept as written. The same solutions, as a basic graph pattern is the join of its triple
    patterns; but Oxigraph joins sub-SELECTs by hashing, where it would seek the index once per row of the
    first pattern for each further one (the selector-span shape at a million statements: 0.9 s → 0.2 s).

    "" unless the query is plainly one basic graph pattern with FILTERs, of at least two triple patterns, each
    with a constant predicate (a scan of one predicate's statements, never of the whole store), no blank nodes,
    collections or paths, and ``$this`` (pre-bound by substitution) nowhere in the group."""
    text = _blank_out(query, fill="x")
    words = {w.upper() for w in re.findall(r"[A-Za-z]+", _blank_out(query))}
    if len(re.findall(r"\bSELECT\b", text, flags=re.I)) != 1 or words & {
        "OPTIONAL", "UNION", "MINUS", "GRAPH", "BIND", "SERVICE", "VALUES", "FROM", "GROUP", "HAVING", "LIMIT",
        "OFFSET", "ORDER", "EXISTS",
    }:
        return ""
    head = re.search(r"\bSELECT\b.*?(\bWHERE\s*)?\{", text, flags=re.S | re.I)
    if head is None:
        return ""
    start = head.end()
    depth, end = 1, start
    while end < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        end += 1
    if depth or text[end:].strip():
        return ""
    body, original = text[start:end - 1], query[start:end - 1]
    filters: list[str] = []
    kept = list(body)
    for m in re.finditer(r"\bFILTER\s*\(", body, flags=re.I):
        depth, j = 1, m.end()
        while j < len(body) and depth:
            depth += {"(": 1, ")": -1}.get(body[j], 0)
            j += 1
        if depth:
            return ""
        filters.append(original[m.start():j])
        kept[m.start():j] = " " * (j - m.start())
    patterns_text = "".join(kept)
    if re.search(r"[{}()\[\]]|_:|[$?]this\b", patterns_text) or re.search(r"[$?]this\b", "".join(filters)):
        return ""
    # Tokens (strings and IRIs are one run of "x" each in *text*), and the separators . ; , between them.
    tokens = [(m.group(0), original[m.start():m.end()])
              for m in re.finditer(r"[.;,](?=\s|$)|[^\s;,]+", patterns_text)]
    triples: list[tuple[str, str, str]] = []
    subject = predicate = ""
    expect = "subject"
    for blank, tok in [*tokens, (".", ".")]:
        if blank in (".", ";", ","):
            if blank == "." and expect in ("subject", "separator"):
                expect = "subject"
            elif blank != "." and expect == "separator":
                expect = "predicate" if blank == ";" else "object"
            else:
                return ""
        elif expect == "subject":
            subject, expect = tok, "predicate"
        elif expect == "predicate":
            if not (blank == "a" or re.fullmatch(r"x+|[A-Za-z][\w.-]*:[\w.:%-]*|:[\w.:%-]*", blank)):
                return ""  # a variable, a path or something unexpected as predicate
            predicate, expect = tok, "object"
        elif expect == "object":
            triples.append((subject, predicate, tok))
            expect = "separator"
        else:
            return ""
    if len(triples) < 2:
        return ""
    groups = " ".join(f"{{ SELECT * WHERE {{ {s} {p} {o} }} }}" for s, p, o in triples)
    return query[:start] + " " + groups + " " + " ".join(filters) + " " + query[end - 1:]


def _nameable(nodes: Collection[Term]) -> bool:
    """Whether *nodes* can go into a VALUES block: IRIs only (a query cannot name a stored blank node), and
    not so many that the query text gets unwieldy."""
    return len(nodes) <= 20 * _MAX_VALUES and all(isinstance(n, ox.NamedNode) for n in nodes)


def _substitute(message: str, bindings: dict[str, Term]) -> str:
    """pySHACL's ``{?var}``/``{$var}`` substitution in sh:sparql messages (``str()`` of each rdflib term)."""
    values: dict[str, Term] = {k: v for k, v in bindings.items() if k not in ("this", "path", "value")}
    for k in ("this", "path", "value"):
        if k in bindings:
            values[k] = bindings[k]
    for var, val in values.items():
        message = re.sub("{[?$]" + var + "}", str(_to_rdflib(val)), message)
    return message
