"""The embedded store: Oxigraph on disk, replaced whole by each build so that readers never see a mix.

Layout of a store folder::

    <store>/CURRENT              name of the live generation (replaced atomically with os.replace)
    <store>/gen-<stamp>/         an Oxigraph database
    <store>/gen-<stamp>.json     its manifest: files, checksums, counts, time
    <store>/lock                 held by the one writer; holds its PID

A build writes a new generation beside the live one and only then points CURRENT at it. A build that fails
or is killed leaves CURRENT, and so the previous store, untouched. An incremental build starts the new
generation as a backup of the live one (RocksDB checkpoint: hard links, so it costs little), drops the graphs
that changed and loads their new contents; the swap is the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError

CURRENT = "CURRENT"


def open_store(path: Path) -> ox.Store:
    """Open the live generation of the store at *path* for reading."""
    gen = current_generation(path)
    try:
        return ox.Store.read_only(str(gen))
    except OSError as exc:
        raise StoreError(f"{gen}: cannot open the store ({exc}). Rebuild it with `kg build`.") from None


def current_generation(path: Path) -> Path:
    """The folder of the live generation; a clear error when there is no store yet."""
    pointer = path / CURRENT
    if not pointer.is_file():
        raise StoreError(f"No store at {path}. Run `kg build` first (or pass --store DIR).")
    gen = path / pointer.read_text(encoding="utf-8").strip()
    if not gen.is_dir():
        raise StoreError(f"{path}: CURRENT points at {gen.name}, which is missing. Run `kg build` again.")
    return gen


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the live generation (what was loaded, when, how much)."""
    gen = current_generation(path)
    manifest = gen.with_suffix(".json")
    if not manifest.is_file():
        return {}
    loaded: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    return loaded


@contextlib.contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Hold the store's writer lock; a second writer gets a clear error naming the holder's PID."""
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "ignore").strip() or "unknown"
            raise StoreError(f"The store {path} is locked by PID {holder}; wait for that build to end.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


def write_store(path: Path, quads: Iterable[ox.Quad], manifest: dict[str, Any]) -> Path:
    """Load *quads* into a new generation and make it the live store, all or nothing.

    Returns the folder of the new generation.
    """
    with write_lock(path):
        return write_generation(path, quads, manifest)


def write_generation(
    path: Path,
    quads: Iterable[ox.Quad],
    manifest: dict[str, Any],
    *,
    base: Path | None = None,
    drop_graphs: Iterable[ox.NamedNode] = (),
) -> Path:
    """Make a new generation and swap it in; the caller holds :func:`write_lock`.

    Without *base* the generation holds exactly *quads*. With *base* (the live generation) it starts as a
    copy of it, loses *drop_graphs*, and gains *quads*: an incremental build that touches only the graphs
    that changed. Either way CURRENT moves only after the new generation is complete and flushed.
    """
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{time.time_ns() % 10**9:09d}"
    gen = path / f"gen-{stamp}"
    try:
        if base is None:
            store = ox.Store(str(gen))
        else:
            ox.Store.read_only(str(base)).backup(str(gen))
            store = ox.Store(str(gen))
            for graph in drop_graphs:
                store.remove_graph(graph)
        store.bulk_extend(quads)
        store.flush()
        del store
        _write_atomic(gen.with_suffix(".json"), json.dumps(manifest, ensure_ascii=False, indent=2))
        _fsync_dir(path)
        _write_atomic(path / CURRENT, gen.name + "\n")
        _fsync_dir(path)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        gen.with_suffix(".json").unlink(missing_ok=True)
        raise
    _remove_old_generations(path, keep=gen.name)
    return gen


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def _remove_old_generations(path: Path, keep: str) -> None:
    for old in path.glob("gen-*"):
        if old.name in (keep, keep + ".json"):
            continue
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
