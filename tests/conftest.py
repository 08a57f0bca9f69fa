"""Shared fixtures: the real project built once, a scratch copy to break, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.build import build
from kg.paths import Paths, make_paths
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ID = "rednet-2024-03-13-sanzhangpai"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """The project's own ontology and data, built once into a temporary store."""
    paths = make_paths(ROOT, tmp_path_factory.mktemp("built") / "store")
    build(paths)
    return paths


@pytest.fixture(scope="session")
def store(built: Paths) -> ox.Store:
    """The built store, open for reading."""
    return open_store(built.store)


@pytest.fixture
def project(tmp_path: Path) -> Paths:
    """A scratch copy of the project (ontology, data, queries) that a test may break."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return make_paths(tmp_path, tmp_path / "store")


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner."""
    return CliRunner()
