"""SHACL validation inside the store: shapes compiled to SPARQL, run where the data lies, reported by name.

The flow, one module a step: :mod:`kg.shacl.compile` reads the shapes graph into a program of checks
(:mod:`kg.shacl.program`), using :mod:`kg.shacl.literals` for the value tests pySHACL makes on literals and
:mod:`kg.shacl.rewrite` for cheaper forms of the shapes' own queries; :mod:`kg.shacl.run` runs the program in an
Oxigraph store and reports :mod:`kg.shacl.report` violations named by :mod:`kg.shacl.messages`, as pySHACL
names them. :mod:`kg.shacl.terms` is the vocabulary and term writing they share; :mod:`kg.shacl.oracles` holds
the two independent engines (pySHACL, pyrudof) that the tests check the validator against.

The names most callers need are here, imported on first use (PEP 562), so that ``import kg.shacl.report``
does not load the compiler::

    from kg.shacl import compile_shapes
    result = compile_shapes(shape_quads).validate(store)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.shacl.compile import compile_shapes
    from kg.shacl.program import Check
    from kg.shacl.report import ValidationResult, Violation
    from kg.shacl.run import ShapeProgram

_EXPORTS: dict[str, str] = {
    "compile_shapes": "kg.shacl.compile",
    "Check": "kg.shacl.program",
    "ShapeProgram": "kg.shacl.run",
    "ValidationResult": "kg.shacl.report",
    "Violation": "kg.shacl.report",
}

__all__ = ["Check", "ShapeProgram", "ValidationResult", "Violation", "compile_shapes"]


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'kg.shacl' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
