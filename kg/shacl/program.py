"""The compiled program: one :class:`Check` per constraint, a SPARQL query template that finds what violates it.

:mod:`kg.shacl.compile` writes the checks, :mod:`kg.shacl.run` fills in their templates for a store and runs
them. A template has slots that only the store can fill (the sub-classes of a class, stated in the data) or
that only the run knows (the values a nested shape failed, the focus nodes of an incremental run); see
:class:`Check` for each slot. Every check has a whole-store form and, where it pays, a form that looks just a
few focus nodes up, and a cheap *probe* that tells when the whole-store form would find nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kg.shacl.literals import Py
from kg.shacl.terms import PREFIXES


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
    #: row ("" when the query is not plainly of that form; see :func:`kg.shacl.rewrite.hash_join_form`).
    bulk_sparql: str = ""
    #: Python re-check of the literal values a query rejected (rdflib's rules); None when the query is final.
    recheck: Py | None = field(default=None, repr=False)

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
        text = FAILING.sub(lambda m: f"VALUES {m.group(1)} {{ {failing} }}" if failing else "", text)
        return expand(text, closure)

    def probe_query(self, closure: Callable[[str], Sequence[str]]) -> str:
        """The runnable :attr:`probe` ("" for none)."""
        return expand(self.probe, closure) if self.probe else ""

    def group_probe_query(self, closure: Callable[[str], Sequence[str]]) -> str:
        """The runnable :attr:`group_probe` ("" for none)."""
        return expand(self.group_probe, closure) if self.group_probe else ""

    def focus_query(self, closure: Callable[[str], Sequence[str]]) -> str:
        """A query for the focus nodes of the check's shape (what ``$this`` takes in a SPARQL-based check)."""
        return expand(PREFIXES + "SELECT ?this WHERE { " + self.focus + " }", closure)

    def target_query(self, closure: Callable[[str], Sequence[str]], values: str) -> str:
        """A query for those of *values* (terms) that are focus nodes of the root shape of the check."""
        return expand(self.target.replace("⟦values⟧", values), closure)


#: The template slots (see :class:`Check`).
FAILING = re.compile(r"⟦failing (\?\w+)⟧")
SUB = re.compile(r"⟦sub (<[^>]*>)⟧")
SUBS = re.compile(r"⟦subs (<[^>]*>)⟧")


def expand(text: str, closure: Callable[[str], Sequence[str]]) -> str:
    """*text* with its class closure slots filled: ``⟦sub <C>⟧`` as a VALUES list, ``⟦subs <C>⟧`` as an IN list
    (*closure* gives the closure of a ``<class>``, see :class:`kg.shacl.run.ClassClosure`)."""
    text = SUB.sub(lambda m: " ".join(closure(m.group(1))), text)
    return SUBS.sub(lambda m: ", ".join(closure(m.group(1))), text)
