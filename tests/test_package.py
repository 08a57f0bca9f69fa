"""The ``kg`` package imports its public names on first use (PEP 562), with the same names as before."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kg


def test_every_public_name_resolves_to_what_its_module_defines() -> None:
    import importlib

    for name in kg.__all__:
        if name == "__version__":
            continue
        module, attr = kg._EXPORTS[name]
        assert getattr(kg, name) is getattr(importlib.import_module(module), attr), name
    assert set(kg.__all__) - {"__version__"} == set(kg._EXPORTS)
    assert set(kg.__all__) <= set(dir(kg))


def test_functions_stay_functions_when_their_modules_are_imported() -> None:
    import kg.asking.answer
    import kg.store.build
    import kg.store.export  # importing the submodules must not replace the functions

    assert callable(kg.build) and kg.build.__module__ == "kg.backend"
    assert callable(kg.ask) and kg.ask.__module__ == "kg.asking.answer"
    assert callable(kg.export) and kg.export.__module__ == "kg.store.export"


def test_no_public_name_is_also_a_subpackage() -> None:
    """Importing kg.X sets the attribute kg.X to the module: a public function named X would be lost."""
    import pkgutil

    packages = {m.name for m in pkgutil.iter_modules(kg.__path__)}
    assert not packages & set(kg._EXPORTS)


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        kg.nothing_here  # noqa: B018
    from kg import namespaces

    with pytest.raises(AttributeError, match="no attribute 'NOPE'"):
        namespaces.NOPE  # noqa: B018
    assert str(namespaces.ZS.Chamber) == namespaces.IRIS["ZS"] + "Chamber"


def test_kg_query_imports_neither_rdflib_nor_the_chinese_text_tools() -> None:
    code = ("import sys, kg.query.runner, kg.cli, kg.asking.answer, kg.names.index, kg.names.kept, kg.query.results; "
            "print(sorted(m for m in ('rdflib', 'pypinyin', 'jieba', 'networkx', 'pyshacl') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
