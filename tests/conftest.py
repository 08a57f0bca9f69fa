"""Shared fixtures: the real project built once, a scratch copy to break, and a CLI runner."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from benchmarks.synth import generate
from kg.backend import build
from kg.paths import Paths, make_paths
from kg.query.warmer import alive  # the warmer's check: a process that exited unreaped (a zombie) is gone
from kg.store.generations import open_store

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent

# `kg build` keeps the catalogue's answers in a detached process by default (kg.query.warmer). Tests build hundreds of
# stores, so they do without it (their subprocesses inherit this) unless they test the warming itself.
os.environ["KG_WARM"] = "off"
SOURCE_ID = "rednet-2024-03-13-sanzhangpai"


def gone(pid: int, timeout: float = 60.0) -> bool:
    """Wait up to *timeout* seconds for process *pid* to end; whether it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


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


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A generated 10k-statement corpus, built (read only: tests that change a project use ``project``)."""
    folder = tmp_path_factory.mktemp("synth") / "project"
    generate(folder, 10_000, seed=5)
    paths = make_paths(folder, folder / "store")
    build(paths)
    return paths


class CountingStore:
    """A store that counts the quads it hands out through its indexes (what reading around entities costs)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.read = 0

    def quads_for_pattern(self, *pattern: Any) -> Iterator[ox.Quad]:
        for q in self.store.quads_for_pattern(*pattern):
            self.read += 1
            yield q

    def named_graphs(self) -> Iterator[ox.NamedNode | ox.BlankNode]:
        return self.store.named_graphs()

    def query(self, *args: Any, **kwargs: Any) -> Any:
        return self.store.query(*args, **kwargs)


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner."""
    return CliRunner()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium through Playwright (never a downloaded browser), one per test module."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()
