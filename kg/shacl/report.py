"""What a check of the data reports: SHACL violations (from any engine, in one text form) and quote problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import SH

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


def sorted_violations(violations: Iterable[Violation]) -> list[Violation]:
    """Violations in report order: by focus node, then path, then message (the order both engines use)."""
    return sorted(violations, key=lambda v: (v.focus, v.path, v.message))


def term_text(node: rdflib.term.Node) -> str:
    """How a violation shows an RDF term: ``zs:``/``sh:`` names, ``<iri>`` otherwise, a literal's text (and a
    blank node's label)."""
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
