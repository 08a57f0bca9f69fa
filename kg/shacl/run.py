"""Running a compiled :class:`ShapeProgram` inside an Oxigraph store, and reporting what it finds.

:meth:`ShapeProgram.validate` runs the checks over the union of the store's named graphs and reports
:class:`~kg.shacl.report.Violation` s that read exactly like the ones pySHACL gives for the same data
(:func:`kg.shacl.oracles.validate_graph`): same focus node, path, value, message and severity text, in the same
order. Nothing is copied out of the store, so a million-statement store is checked in seconds instead of minutes.

* The union default graph returns a statement once per named graph that holds it; every query counts
  DISTINCT terms, so the same statement in two graphs is one value, as in the merged rdflib graph.
* ``sh:node``: a value fails when the nested shape reports anything on it, and those nested results are
  reported too (pySHACL's ``sh:detail`` results, which :func:`kg.shacl.oracles.validate_graph` lists), once per
  result that points at the value.

How it runs. A whole-store run uses queries Oxigraph evaluates with hash joins over index scans (independent
sub-SELECTs, MINUS, value tests on the DISTINCT values of a path): a FILTER [NOT] EXISTS costs an index lookup
per row, which dominates on a store on disk. Before a check, its probe (a query that has a row whenever the
check has one, cheap on conforming data) is asked; no row, no check. An incremental run on few focus nodes
(next to the store's size) uses a second form of each check that looks up just the focus nodes that are
targets of the shape (with more, the whole-store queries run and their rows are filtered); SPARQL-based
constraints get a trailing ``VALUES`` block on ``?value`` (and on the subjects of their patterns) when the query
is a plain pattern with filters, so that every row it restricts is bound. Checks run on two threads (Oxigraph
releases the GIL while it evaluates), the SPARQL-based ones first as they are the slowest. A timeout is checked
between queries and while reading rows.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from kg.errors import QueryTimeout, UnsupportedShape
from kg.shacl.messages import NODE, Names, substitute, violation_text
from kg.shacl.program import SUB, SUBS, Check
from kg.shacl.report import ValidationResult, Violation, sorted_violations
from kg.shacl.rewrite import BINDS
from kg.shacl.terms import RDF, RDFS, Node, Term, sparql_iri, to_rdflib

#: Focus nodes (IRIs) per VALUES block.
MAX_VALUES = 2000
#: An incremental run looks its focus nodes up (focused forms) when they are few next to the store: at most one
#: per ``FOCUSED_RATIO`` typing statements (about where a whole-store run of every check, filtered after,
#: becomes as fast: ~4,500 focus nodes at a million statements, ~600 at 100,000), and never more than
#: ``FOCUSED_MAX``; up to ``FOCUSED_MIN`` always.
FOCUSED_RATIO = 40
FOCUSED_MIN = 200
FOCUSED_MAX = 10_000


@dataclass(frozen=True)
class ShapeProgram:
    """Compiled shapes: the checks to run in a store. Build it with :func:`kg.shacl.compile.compile_shapes`."""

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


class ClassClosure:
    """The sub-classes of a class in a store: call it with ``<C>`` for ``<C>`` and every class
    ``rdfs:subClassOf*`` it, as SPARQL terms (what a check's ``⟦sub <C>⟧`` slots take, see
    :func:`kg.shacl.program.expand`). The hierarchy is read from the store once, on the first call."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._subs: dict[str, set[str]] | None = None
        self._closure: dict[str, list[str]] = {}

    def __call__(self, iri: str) -> list[str]:
        if self._subs is None:
            subs: dict[str, set[str]] = {}
            q = f"SELECT DISTINCT ?sub ?sup WHERE {{ ?sub <{RDFS}subClassOf> ?sup }}"
            results = self.store.query(q, use_default_graph_as_union=True)
            assert isinstance(results, ox.QuerySolutions)
            for row in results:
                sub, sup = row["sub"], row["sup"]
                if isinstance(sub, ox.NamedNode) and isinstance(sup, ox.NamedNode):
                    subs.setdefault(sparql_iri(sup), set()).add(sparql_iri(sub))
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


@dataclass
class _Row:
    focus: Term
    value: Term | None
    bindings: dict[str, Term]


class _Run:
    """One validation of a store: runs the checks (on *workers* threads), then turns their rows into violations."""

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
        self.names = Names(None)
        self.closure = ClassClosure(store)
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
                for m in (*SUB.finditer(text), *SUBS.finditer(text)):
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
            texts = [check.render(self.closure, failing=failing_text, matched=" ".join(matched[i:i + MAX_VALUES]))
                     for i in range(0, len(matched), MAX_VALUES)]
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
                query = check.group_probe_query(self.closure)
                answer.append(any(True for _ in self._select(check, query)))
            return answer[0]

    def _focused(self) -> bool:
        """Whether this run looks its focus nodes up rather than checking the whole store and filtering."""
        with self._lock:
            if self._use_focused is None:
                focus = self.focus
                if focus is None or len(focus) > FOCUSED_MAX or not _nameable(focus):
                    self._use_focused = False
                elif len(focus) <= FOCUSED_MIN:
                    self._use_focused = True
                else:
                    results = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{RDF}type> ?t }}",
                                               use_default_graph_as_union=True)
                    assert isinstance(results, ox.QuerySolutions)
                    count = next(results)["n"]
                    typed = int(count.value) if isinstance(count, ox.Literal) else 0
                    self._use_focused = len(focus) * FOCUSED_RATIO <= typed
            return self._use_focused

    def _matched(self, check: Check) -> set[Term]:
        """The run's focus nodes that are focus nodes of the check's root shape (asked once per root shape)."""
        with self._lock:
            if check.target not in self._targets:
                assert self.focus is not None
                iris = sorted(str(n) for n in self.focus)
                found: set[Term] = set()
                for i in range(0, len(iris), MAX_VALUES):
                    query = check.target_query(self.closure, " ".join(iris[i:i + MAX_VALUES]))
                    found.update(row["this"] for row in self._select(check, query) if "this" in row)
                self._targets[check.target] = found
            return self._targets[check.target]

    def _sparql_rows(self, check: Check) -> list[_Row]:
        """Run a SPARQL-based constraint once per focus node of its shape, ``$this`` pre-bound, as pySHACL does.

        In an incremental run (focus nodes given) the rows are kept when ``$this`` or any node they return is a
        focus node; where the query allows it, a trailing ``VALUES`` block asks only for those rows."""
        targets = [row["this"] for row in self._select(check, check.focus_query(self.closure)) if "this" in row]
        uses_this = "this" in {m.group(2) for m in BINDS.finditer(check.sparql)}
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
                rows = [row for var in check.restrict for i in range(0, len(iris), MAX_VALUES)
                        for row in ask(target, f"\nVALUES ?{var} {{ {' '.join(iris[i:i + MAX_VALUES])} }}")]
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
        lit = to_rdflib(row.value)
        assert isinstance(lit, rdflib.Literal)
        return check.recheck.accepts(lit)

    # -- reporting

    def _violation(self, check: Check, row: _Row) -> Violation:
        message = check.message
        if check.message_mode == "focus":
            message = message.replace(NODE, self._data_text(row.focus))
        elif check.message_mode == "value" and row.value is not None:
            message = message.replace(NODE, self._data_text(row.value))
        elif check.message_mode == "bindings":
            message = substitute(message, row.bindings)
        path = check.path
        if check.kind == "sparql" and isinstance(row.bindings.get("path"), ox.NamedNode):
            path = violation_text(row.bindings["path"])
        return Violation(
            focus=violation_text(row.focus),
            path=path,
            message=message,
            value="" if row.value is None or check.kind == "focus" else violation_text(row.value),
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


def _nameable(nodes: Collection[Term]) -> bool:
    """Whether *nodes* can go into a VALUES block: IRIs only (a query cannot name a stored blank node), and
    not so many that the query text gets unwieldy."""
    return len(nodes) <= 20 * MAX_VALUES and all(isinstance(n, ox.NamedNode) for n in nodes)
