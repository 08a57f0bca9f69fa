"""Check data against the SHACL shapes and provenance quotes against their source texts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyshacl
import rdflib
from rdflib.namespace import RDF, SH

from kg.namespaces import ZS


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node, which property, what is wrong."""

    focus: str
    path: str
    message: str
    value: str = ""
    severity: str = "Violation"

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        value = f" (value: {self.value})" if self.value else ""
        return f"{where}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of a validation: whether the data conforms, and every violation if not."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def summary(self) -> str:
        """A human-readable report, one line per violation."""
        if self.conforms:
            return "Conforms: the data satisfies every shape."
        lines = [f"Does not conform: {len(self.violations)} violation(s)."]
        lines += [f"  - {v}" for v in self.violations]
        return "\n".join(lines)


def validate_graph(
    data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph | None = None
) -> ValidationResult:
    """Validate *data* against *shapes*.

    The ontology must be part of *data*, or given as *ontology* (then mixed into a copy), so that
    ``sh:targetClass`` reaches the instances of sub-classes.
    """
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    assert isinstance(report, rdflib.Graph)
    return ValidationResult(conforms=bool(conforms), violations=sorted_violations(_violations(report)))


def sorted_violations(violations: Iterable[Violation]) -> list[Violation]:
    """Violations in report order: by focus node, then path, then message (the order both engines use)."""
    return sorted(violations, key=lambda v: (v.focus, v.path, v.message))


def _violations(report: rdflib.Graph) -> list[Violation]:
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def one(p: rdflib.URIRef, r: rdflib.term.Node = result) -> str:
            v = report.value(r, p)
            return "" if v is None else _short(v)
        message = one(SH.resultMessage) or one(SH.sourceConstraintComponent)
        out.append(
            Violation(
                focus=one(SH.focusNode),
                path=one(SH.resultPath),
                message=message,
                value=one(SH.value),
                severity=one(SH.resultSeverity).rsplit("#", 1)[-1],
            )
        )
    return out


def term_text(node: rdflib.term.Node) -> str:
    """How a violation shows an RDF term: ``zs:``/``sh:`` names, ``<iri>`` otherwise, a literal's text."""
    return _short(node)


def _short(node: rdflib.term.Node) -> str:
    if isinstance(node, rdflib.Literal):
        return str(node)
    text = str(node)
    for prefix, ns in (("zs:", str(ZS)), ("sh:", str(SH))):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return f"<{text}>" if isinstance(node, rdflib.URIRef) else text


@dataclass(frozen=True)
class QuoteProblem:
    """A sentence whose quote is not the text at its offsets."""

    sentence: str
    message: str

    def __str__(self) -> str:
        return f"{self.sentence}: {self.message}"
