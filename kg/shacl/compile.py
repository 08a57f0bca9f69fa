"""Compile a SHACL shapes graph into a :class:`~kg.shacl.run.ShapeProgram`: each constraint a SPARQL ``SELECT``
(a :class:`~kg.shacl.program.Check`) that returns the offending focus nodes (and values).

:func:`compile_shapes` reads a shapes graph (with pyoxigraph). Only the part of SHACL Core (and SHACL-SPARQL)
that ``ontology/shapes.ttl`` uses is implemented:

* targets ``sh:targetClass`` (instances of the class or of any ``rdfs:subClassOf*`` sub-class, as stated in the
  store), ``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``;
* property shapes whose ``sh:path`` is one IRI;
* ``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:pattern``,
  ``sh:languageIn``, ``sh:minInclusive``, ``sh:minLength``, ``sh:qualifiedValueShape`` with
  ``sh:qualifiedMinCount``, ``sh:node``, ``sh:or``, ``sh:sparql`` (``sh:select``, ``sh:prefixes``/``sh:declare``,
  ``$this`` pre-bound), ``sh:message``, ``sh:severity``, ``sh:deactivated``.

Anything else (``sh:and``, ``sh:not``, ``sh:xone``, path expressions, ``sh:equals``, ``sh:flags``, custom
constraint components, SHACL rules …) raises :class:`~kg.errors.UnsupportedShape` naming the shape and the term,
so a shape is never silently ignored. A ``sh:pattern`` Oxigraph cannot compile (look-around …) is refused too.

Every check has two forms. For a whole-store run, Oxigraph is best at joining independent sub-SELECTs (hash
joins over scans) and subtracting with MINUS; for an incremental run on a few focus nodes, lookups from those
nodes are what is cheap. Value tests (:mod:`kg.shacl.literals`) run on the DISTINCT values of a path. The
default messages are pySHACL's (:mod:`kg.shacl.messages`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import pyoxigraph as ox
import rdflib

from kg.errors import UnsupportedShape
from kg.shacl.literals import (
    NODE_KINDS,
    Cond,
    Py,
    PyAll,
    PyAny,
    PyClass,
    PyConst,
    PyLang,
    PyMinInclusive,
    PyMinLength,
    PyNodeKind,
    PyPattern,
    datatype_cond,
)
from kg.shacl.messages import NODE, Names, default_message
from kg.shacl.program import Check
from kg.shacl.report import term_text
from kg.shacl.rewrite import BINDS, always_bound, hash_join_form, rust_regex
from kg.shacl.run import ShapeProgram
from kg.shacl.terms import (
    FIRST,
    NIL,
    OWL,
    PREFIXES,
    RDFS,
    REST,
    SH,
    TYPE,
    XSD,
    Node,
    Term,
    sh_iri,
    shape_name,
    sparql_iri,
    sparql_string,
    sparql_term,
)

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


# pySHACL refuses these in SPARQL constraints (SHACL 1.0 section 5.3.1); so do we, at compile time.
_HAS_MINUS = re.compile(r"^(?:[^#]*|M)(?!#)#?[^\?\$\#]M?INUS[\s\{]", flags=re.M | re.I)
_HAS_VALUES = re.compile(r"^(?!\s*#).*?(?<![\w\-\:])VALUES\b(?:\s*(?:\(|[\?\$]\w+|\{|\w|\s))", flags=re.M | re.I)
_HAS_SERVICE = re.compile(r"^(?!\s*#).*?(?<![\w\-\:])SERVICE\b", flags=re.M | re.I)
_PROJECTION = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s*(?:WHERE\b|\{)", flags=re.S | re.I)


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
        return self.objects(s, sh_iri(name))

    def items(self, head: Term, owner: Term, term: str) -> list[Term]:
        """The members of the RDF list at *head*."""
        out: list[Term] = []
        node = head
        seen: set[Term] = set()
        while node != NIL:
            first, rest = self.objects(node, FIRST), self.objects(node, REST)
            if node in seen or len(first) != 1 or len(rest) != 1:
                raise UnsupportedShape(f"{shape_name(owner)}: the value of {term} is not a well-formed RDF list.")
            seen.add(node)
            out.append(first[0])
            node = rest[0]
        return out


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
    """Turns each shape reachable from a target into checks, in a stable order (shapes sorted by name)."""

    def __init__(self, g: _Graph) -> None:
        self.g = g
        self.checks: list[Check] = []
        self.n = 0
        self.names = Names(g.out)
        #: The sh:minCount 1 checks by the focus they run on: (check index, property).
        self.min_counts: dict[str, list[tuple[int, str]]] = {}

    # -- driver

    def compile(self) -> list[Check]:
        try:
            self._refuse_unsupported()
            roots = [s for s in self.g.out if any(self.g.sh(s, t) for t in _TARGETS)]
            for root in sorted(roots, key=shape_name):
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
            probe = PREFIXES + f"SELECT ?this WHERE {{ {focus} MINUS {{ {having} }} }} LIMIT 1"
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
        return f"{label} (in {shape_name(node)})" if isinstance(node, ox.NamedNode) else label

    def _refuse_unsupported(self) -> None:
        classes = {ox.NamedNode(RDFS + "Class"), ox.NamedNode(OWL + "Class")}
        for s, preds in self.g.out.items():
            types = set(preds.get(TYPE, ()))
            for t in types:
                if isinstance(t, ox.NamedNode) and t.value.startswith(SH) and t.value[len(SH):] not in _SUPPORTED_TYPES:
                    raise UnsupportedShape(f"{shape_name(s)}: kg.shacl does not support sh:{t.value[len(SH):]}.")
            if types & classes and types & {sh_iri("NodeShape"), sh_iri("PropertyShape")}:
                raise UnsupportedShape(
                    f"{shape_name(s)}: a shape that is also a class (implicit class target) is not supported; "
                    "use sh:targetClass."
                )
            for p in preds:
                if p.value.startswith(SH) and p.value[len(SH):] not in _SUPPORTED:
                    raise UnsupportedShape(f"{shape_name(s)}: kg.shacl does not support sh:{p.value[len(SH):]}.")
            for o in preds.get(sh_iri("qualifiedValueShapesDisjoint"), ()):
                if not (isinstance(o, ox.Literal) and o.value == "false"):
                    raise UnsupportedShape(f"{shape_name(s)}: sh:qualifiedValueShapesDisjoint true is not supported.")
            for o in preds.get(sh_iri("path"), ()):
                if not isinstance(o, ox.NamedNode):
                    raise UnsupportedShape(
                        f"{shape_name(s)}: only a single IRI is supported as sh:path (complex paths are not)."
                    )

    # -- helpers

    def _var(self, stem: str = "v") -> str:
        self.n += 1
        return f"?_{stem}{self.n}"

    def _deactivated(self, shape: Term) -> bool:
        vals = self.g.sh(shape, "deactivated")
        if len(vals) > 1:
            raise UnsupportedShape(f"{shape_name(shape)}: more than one sh:deactivated.")
        return bool(vals) and isinstance(vals[0], ox.Literal) and vals[0].value in ("true", "1")

    def _one(self, shape: Term, name: str) -> Term | None:
        vals = self.g.sh(shape, name)
        if len(vals) > 1:
            raise UnsupportedShape(f"{shape_name(shape)}: more than one sh:{name}.")
        return vals[0] if vals else None

    def _int(self, shape: Term, name: str) -> int | None:
        val = self._one(shape, name)
        if val is None:
            return None
        if not (isinstance(val, ox.Literal) and val.datatype.value.startswith(XSD)
                and re.fullmatch(r"[+]?\d+", val.value)):
            raise UnsupportedShape(f"{shape_name(shape)}: sh:{name} must be a non-negative integer, not {val}.")
        return int(val.value)

    def _severity(self, shape: Term) -> str:
        sev = self._one(shape, "severity")
        if sev is None:
            return "sh:Violation"
        if not isinstance(sev, ox.NamedNode) or sev.value not in _SEVERITIES:
            raise UnsupportedShape(f"{shape_name(shape)}: unsupported sh:severity {sev}.")
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
                raise UnsupportedShape(f"{shape_name(shape)}: sh:targetClass {c} is not an IRI.")
            classes.append(c)
        if classes:
            ordered = sorted(classes, key=str)
            subs = " ".join(f"⟦sub {sparql_iri(c)}⟧" for c in ordered)
            parts.append(f"?this rdf:type ?_tc . VALUES ?_tc {{ {subs} }}")
            tests.append("EXISTS { ?this rdf:type ?_tc . FILTER(?_tc IN ("
                         + ", ".join(f"⟦subs {sparql_iri(c)}⟧" for c in ordered) + ")) }")
        nodes = self.g.sh(shape, "targetNode")
        if nodes:
            parts.append("VALUES ?this { " + " ".join(sparql_term(n) for n in nodes) + " }")
            tests.append("?this IN (" + ", ".join(sparql_term(n) for n in nodes) + ")")
        for p in self.g.sh(shape, "targetSubjectsOf"):
            if not isinstance(p, ox.NamedNode):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:targetSubjectsOf {p} is not an IRI.")
            parts.append(f"?this {sparql_iri(p)} ?_ts")
            tests.append(f"EXISTS {{ ?this {sparql_iri(p)} ?_ts }}")
        for p in self.g.sh(shape, "targetObjectsOf"):
            if not isinstance(p, ox.NamedNode):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:targetObjectsOf {p} is not an IRI.")
            parts.append(f"?_to {sparql_iri(p)} ?this")
            tests.append(f"EXISTS {{ ?_to {sparql_iri(p)} ?this }}")
        body = parts[0] if len(parts) == 1 else " UNION ".join("{ " + p + " }" for p in parts)
        return _Focus(
            bulk="{ SELECT DISTINCT ?this WHERE { " + body + " } }",
            focused="{ VALUES ?this { ⟦matched⟧ } }",
            target=PREFIXES + "SELECT DISTINCT ?this WHERE { VALUES ?this { ⟦values⟧ } FILTER("
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
            sparql=PREFIXES + f"SELECT DISTINCT {select} WHERE {{ {bulk} }}",
            focused=PREFIXES + f"SELECT DISTINCT {select} WHERE {{ {focused} }}",
            focus=focus.bulk, focused_focus=focus.focused, target=focus.target,
            **fields,  # type: ignore[arg-type]
        ))

    def _node(self, shape: Node, focus: _Focus, parent: int | None, seen: tuple[Term, ...]) -> None:
        """Checks for node shape *shape* on the focus nodes bound by *focus*."""
        if shape in seen:
            raise UnsupportedShape(f"{shape_name(shape)}: recursive shapes (via sh:node) are not supported.")
        if self.g.sh(shape, "path"):
            raise UnsupportedShape(f"{shape_name(shape)}: sh:node must name a node shape, not a property shape.")
        seen = (*seen, shape)
        for name in ("minCount", "maxCount", "qualifiedValueShape", "qualifiedMinCount"):
            if self.g.sh(shape, name):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:{name} on a node shape (one without sh:path).")
        severity, message = self._severity(shape), self._message(shape)
        for c in self._value_constraints(shape):
            text, mode = c.message(self, message)
            common: dict[str, object] = {
                "shape": shape_name(shape), "path": "", "message": text, "severity": severity,
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
                raise UnsupportedShape(f"{shape_name(shape)}: sh:property {prop} is not a property shape with sh:path.")
            if not self._deactivated(prop):
                owner = shape_name(prop) if isinstance(prop, ox.NamedNode) else shape_name(shape)
                self._property(prop, focus, parent, seen, owner)
        for constraint in self.g.sh(shape, "sparql"):
            if parent is not None:
                raise UnsupportedShape(f"{shape_name(shape)}: sh:sparql in a shape used through sh:node.")
            self._sparql(shape, constraint, focus.bulk)

    # -- property shapes

    def _property(
        self, shape: Node, focus: _Focus, parent: int | None, seen: tuple[Term, ...] = (), owner: str | None = None
    ) -> None:
        """Checks for property shape *shape* on the focus nodes bound by *focus*; *owner* names it in results
        (an anonymous property shape goes by the node shape that holds it)."""
        if shape in seen:
            raise UnsupportedShape(f"{shape_name(shape)}: recursive shapes are not supported.")
        seen = (*seen, shape)
        for name in ("property", "sparql"):
            if self.g.sh(shape, name):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:{name} on a property shape is not supported.")
        path = self._one(shape, "path")
        assert isinstance(path, ox.NamedNode)
        p, path_text = sparql_iri(path), self._path_text(shape)
        severity, message = self._severity(shape), self._message(shape)
        path_n3 = self.names.shape_text(path)
        pairs = f"{{ SELECT ?this ?value WHERE {{ ?this {p} ?value }} }}"

        def emit(bulk: str, focused: str, kind: str, text: str, mode: str, component: str,
                 recheck: Py | None = None, from_nested: bool = False, probe: str = "") -> int:
            return self._emit_check(
                focus, bulk, focused, "?this ?value" if kind == "value" else "?this", shape=owner or shape_name(shape),
                path=path_text, message=text, severity=severity, component=SH + component, kind=kind,
                message_mode=mode, parent=parent, recheck=recheck, from_nested=from_nested,
                probe=PREFIXES + f"SELECT * WHERE {{ {probe} }} LIMIT 1" if probe else "")

        min_count = self._int(shape, "minCount")
        if min_count:
            text, mode = (message, "static") if message else (
                f"Less than {min_count} values on {NODE}->{path_n3}", "focus")
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
                f"More than {max_count} values on {NODE}->{path_n3}", "focus")
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
                raise UnsupportedShape(f"{shape_name(shape)}: sh:qualifiedValueShape needs sh:qualifiedMinCount "
                                       "(sh:qualifiedMaxCount is not supported).")
            for vs in qualified:
                if not isinstance(vs, (ox.NamedNode, ox.BlankNode)):
                    raise UnsupportedShape(f"{shape_name(shape)}: sh:qualifiedValueShape {vs} is not a shape.")
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
            raise UnsupportedShape(f"{shape_name(shape)}: sh:qualifiedMinCount without sh:qualifiedValueShape.")

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

    def _value_cond(self, shape: Term, c: _Constraint, v: str, seen: tuple[Term, ...] = ()) -> Cond:
        """SPARQL (and, where rdflib may judge differently, Python) test that *v* satisfies constraint *c*."""
        arg = c.arg
        if c.name == "class":
            if not isinstance(arg, ox.NamedNode):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:class {arg} is not an IRI.")
            t = self._var("t")
            pattern = f"{v} rdf:type {t} . VALUES {t} {{ ⟦sub {sparql_iri(arg)}⟧ }}"
            test = f"EXISTS {{ {v} rdf:type {t} . FILTER({t} IN (⟦subs {sparql_iri(arg)}⟧)) }}"
            return Cond(test, PyClass(), pattern)
        if c.name == "datatype":
            if not isinstance(arg, ox.NamedNode):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:datatype {arg} is not an IRI.")
            return datatype_cond(shape, arg.value, v)
        if c.name == "nodeKind":
            kind = arg.value[len(SH):] if isinstance(arg, ox.NamedNode) and arg.value.startswith(SH) else ""
            if kind not in NODE_KINDS:
                raise UnsupportedShape(f"{shape_name(shape)}: unknown sh:nodeKind {arg}.")
            return Cond(NODE_KINDS[kind].format(v=v), PyNodeKind(kind))
        if c.name == "pattern":
            if not isinstance(arg, ox.Literal):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:pattern {arg} is not a literal.")
            try:
                python = PyPattern(arg.value)
            except re.error as exc:
                raise UnsupportedShape(f"{shape_name(shape)}: sh:pattern {arg.value!r} is not a regular expression: "
                                       f"{exc}") from None
            regex = sparql_string(rust_regex(arg.value))
            probe = ox.Store().query(f"SELECT (REGEX(\"\", {regex}) AS ?ok) WHERE {{}}")
            assert isinstance(probe, ox.QuerySolutions)
            if next(probe)["ok"] is None:  # Oxigraph's (Rust) regex syntax refuses it: every value would fail
                raise UnsupportedShape(f"{shape_name(shape)}: sh:pattern {arg.value!r} uses regular expression syntax "
                                       "Oxigraph does not support (look-around or back-references?).")
            return Cond(f"(!isBlank({v}) && REGEX(STR({v}), {regex}))", python)
        if c.name == "languageIn":
            tags = self.g.items(arg, shape, "sh:languageIn")
            if not all(isinstance(t, ox.Literal) for t in tags):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:languageIn holds something other than strings.")
            wanted = sorted({t.value.lower() for t in tags if isinstance(t, ox.Literal)})
            if "*" in wanted:
                return Cond(f"(isLiteral({v}) && LANG({v}) != \"\")", PyLang(("*",)))
            if not wanted:
                return Cond("false", PyLang(()))
            if not any("-" in w for w in wanted):
                # the same test (the whole tag, or its first subtag, is one of them, ignoring case), but
                # langMatches reads the tag once and makes no new strings: about half the time of the one below
                matches = " || ".join(f"langMatches(LANG({v}), {sparql_string(w)})" for w in wanted)
                return Cond(f"(isLiteral({v}) && ({matches}))", PyLang(tuple(wanted)))
            ins = ", ".join(sparql_string(w) for w in wanted)
            return Cond(
                f"(isLiteral({v}) && LANG({v}) != \"\" && (LCASE(LANG({v})) IN ({ins})"
                f" || LCASE(STRBEFORE(LANG({v}), \"-\")) IN ({ins})))",
                PyLang(tuple(wanted)),
            )
        if c.name == "minInclusive":
            if not isinstance(arg, ox.Literal):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:minInclusive {arg} is not a literal.")
            return Cond(f"(isLiteral({v}) && {v} >= {sparql_term(arg)})", PyMinInclusive(arg))
        if c.name == "minLength":
            assert isinstance(arg, ox.Literal)
            n = int(arg.value)
            if n == 0:
                return Cond("true", PyConst(True))
            return Cond(f"(!isBlank({v}) && STRLEN(STR({v})) >= {n})", PyMinLength(n))
        if c.name == "node":
            if not isinstance(arg, (ox.NamedNode, ox.BlankNode)):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:node {arg} is not a shape.")
            return self._shape_cond(arg, v, seen)
        if c.name == "or":
            members = self.g.items(arg, shape, "sh:or")
            conds = []
            for m in members:
                if not isinstance(m, (ox.NamedNode, ox.BlankNode)):
                    raise UnsupportedShape(f"{shape_name(shape)}: sh:or member {m} is not a shape.")
                conds.append(self._shape_cond(m, v, seen))
            if not conds:
                return Cond("true", PyConst(True))
            positive = None
            if all(c.positive for c in conds):
                positive = " UNION ".join("{ " + str(c.positive) + " }" for c in conds)
            return Cond("(" + " || ".join(f"COALESCE({c.sparql}, false)" for c in conds) + ")",
                         PyAny(tuple(c.python for c in conds)), positive)
        raise AssertionError(c.name)  # pragma: no cover

    def _shape_cond(self, shape: Node, v: str, seen: tuple[Term, ...]) -> Cond:
        """SPARQL test that *v* conforms to *shape* (no result of any severity), as sh:node/sh:or/qualified use."""
        if shape in seen:
            raise UnsupportedShape(f"{shape_name(shape)}: recursive shapes are not supported.")
        seen = (*seen, shape)
        if self._deactivated(shape):
            return Cond("true", PyConst(True))
        if self.g.sh(shape, "sparql"):
            raise UnsupportedShape(f"{shape_name(shape)}: sh:sparql in a shape used through sh:node, sh:or or "
                                   "sh:qualifiedValueShape is not supported.")
        parts: list[Cond] = []
        path = self._one(shape, "path")
        if path is None:
            for name in ("minCount", "maxCount", "qualifiedValueShape"):
                if self.g.sh(shape, name):
                    raise UnsupportedShape(f"{shape_name(shape)}: sh:{name} on a node shape (one without sh:path).")
            parts += [self._value_cond(shape, c, v, seen) for c in self._value_constraints(shape)]
        else:
            assert isinstance(path, ox.NamedNode)
            p = sparql_iri(path)
            if self.g.sh(shape, "property"):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:property on a property shape is not supported.")
            min_count = self._int(shape, "minCount")
            if min_count:
                xs = [self._var("m") for _ in range(min_count)]
                distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:])
                binds = " . ".join(f"{v} {p} {x}" for x in xs)
                parts.append(Cond(f"EXISTS {{ {binds} {'FILTER(' + distinct + ')' if distinct else ''} }}",
                                   PyConst(False), None if distinct else binds))
            max_count = self._int(shape, "maxCount")
            if max_count is not None:
                xs = [self._var("m") for _ in range(max_count + 1)]
                distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:])
                binds = " . ".join(f"{v} {p} {x}" for x in xs)
                parts.append(Cond(f"NOT EXISTS {{ {binds} {'FILTER(' + distinct + ')' if distinct else ''} }}",
                                   PyConst(True)))
            for c in self._value_constraints(shape):
                x = self._var("x")
                inner = self._value_cond(shape, c, x, seen)
                parts.append(Cond(f"NOT EXISTS {{ {v} {p} {x} . FILTER(!COALESCE({inner.sparql}, false)) }}",
                                   PyConst(True)))
            for vs in self.g.sh(shape, "qualifiedValueShape"):
                assert isinstance(vs, (ox.NamedNode, ox.BlankNode))
                q_min = self._int(shape, "qualifiedMinCount")
                if q_min is None:
                    raise UnsupportedShape(f"{shape_name(shape)}: sh:qualifiedValueShape needs sh:qualifiedMinCount.")
                if q_min == 0:
                    continue
                xs = [self._var("q") for _ in range(q_min)]
                conds = [self._shape_cond(vs, x, seen) for x in xs]
                pairs = [f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:]]
                filters = " && ".join([*(f"COALESCE({c.sparql}, false)" for c in conds), *pairs])
                binds = " . ".join(f"{v} {p} {x}" for x in xs)
                parts.append(Cond(f"EXISTS {{ {binds} . FILTER({filters}) }}", PyConst(False)))
        for prop in self.g.sh(shape, "property"):
            if not isinstance(prop, (ox.NamedNode, ox.BlankNode)) or not self.g.sh(prop, "path"):
                raise UnsupportedShape(f"{shape_name(shape)}: sh:property {prop} is not a property shape with sh:path.")
            parts.append(self._shape_cond(prop, v, seen))
        if not parts:
            return Cond("true", PyConst(True))
        if len(parts) == 1:
            return parts[0]
        return Cond("(" + " && ".join(f"COALESCE({c.sparql}, false)" for c in parts) + ")",
                     PyAll(tuple(c.python for c in parts)))

    # -- SPARQL-based constraints

    def _sparql(self, shape: Node, constraint: Term, focus: str) -> None:
        g = self.g
        if not isinstance(constraint, (ox.NamedNode, ox.BlankNode)):
            raise UnsupportedShape(f"{shape_name(shape)}: sh:sparql {constraint} is not a SPARQL constraint node.")
        if self._deactivated(constraint):
            return
        selects = g.sh(constraint, "select")
        if len(selects) != 1 or not isinstance(selects[0], ox.Literal):
            raise UnsupportedShape(f"{shape_name(shape)}: a SPARQL constraint needs exactly one sh:select string.")
        select = selects[0].value
        for regex, what in ((_HAS_MINUS, "MINUS"), (_HAS_VALUES, "VALUES"), (_HAS_SERVICE, "SERVICE")):
            if regex.search(select):
                raise UnsupportedShape(f"{shape_name(shape)}: a SPARQL constraint must not use {what}.")
        bound = {m.group(2) for m in BINDS.finditer(select)}
        if bound - {"this"}:
            raise UnsupportedShape(f"{shape_name(shape)}: ${sorted(bound - {'this'})[0]} in a SPARQL constraint is "
                                   "not supported.")
        projection = _PROJECTION.search(select)
        if "this" in bound and not (projection and re.search(r"(^|\s)(\*|[\$\?]this)(\s|$)", projection.group(1))):
            raise UnsupportedShape(f"{shape_name(shape)}: a SPARQL constraint that uses $this must select it.")
        prefixes = self._declared_prefixes(shape, constraint)
        text = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items()) + "\n" + select
        messages = [m for m in g.sh(constraint, "message") if isinstance(m, ox.Literal)]
        message = self._message(constraint) if messages else self._message(shape)
        self._emit(Check(
            sparql=text, shape=shape_name(shape), path="",
            message=message if message is not None else "sh:SPARQLConstraintComponent",
            severity=self._severity(shape), component=SH + "SPARQLConstraintComponent", kind="sparql",
            message_mode="bindings" if message is not None else "static", focus=focus,
            restrict=always_bound(select), bulk_sparql=hash_join_form(text),
        ))

    def _declared_prefixes(self, shape: Node, constraint: Node) -> dict[str, str]:
        g = self.g
        ontologies = [s for s, ps in g.out.items() if ox.NamedNode(OWL + "Ontology") in ps.get(TYPE, ())]
        out: dict[str, str] = {}
        for holder in g.sh(constraint, "prefixes"):
            declares = list(g.sh(holder, "declare"))
            if not (declares and holder in ontologies):
                for o in ontologies:
                    declares += g.sh(o, "declare")
            for dec in declares:
                prefix, ns = g.sh(dec, "prefix"), g.sh(dec, "namespace")
                if len(prefix) != 1 or len(ns) != 1 or not isinstance(prefix[0], ox.Literal):
                    raise UnsupportedShape(f"{shape_name(shape)}: sh:declare {dec} needs one sh:prefix and one "
                                           "sh:namespace.")
                out[prefix[0].value] = ns[0].value
        return out


@dataclass(frozen=True)
class _Constraint:
    """One value constraint of a shape (``sh:class``, ``sh:datatype`` …) and its parameter."""

    name: str
    arg: Term
    component: str
    #: Every value of the same parameter on the shape (pySHACL's default message names them all).
    all_args: tuple[Term, ...]

    def message(self, comp: _Compiler, message: str | None) -> tuple[str, str]:
        """The result message (and how to fill it in), pySHACL's default when the shape has no sh:message."""
        if message is not None:
            return message, "static"
        return default_message(self.name, self.arg, self.all_args, comp.names, lambda a: comp.g.items(a, a, "sh:or"))
