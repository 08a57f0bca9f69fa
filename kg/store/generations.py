"""The embedded store: Oxigraph on disk, replaced whole by each build so that readers never see a mix.

Layout of a store folder::

    <store>/CURRENT              name of the live generation (replaced atomically with os.replace)
    <store>/gen-<stamp>/         an Oxigraph database
    <store>/gen-<stamp>.json     its manifest: files, checksums, counts, time
    <store>/gen-<stamp>.answers/ answers already given on it and the index of names (:mod:`kg.query.kept`,
                                 :mod:`kg.names.kept`, :mod:`kg.query.warmer`), removed with it, after it
    <store>/gen-<stamp>.files.json  its database files and their sizes, to find one removed or cut short
    <store>/gen-<stamp>.lock     held (fcntl) by the process writing that generation; holds its PID
    <store>/lock                 held by the one writer; holds its PID

A build that is killed (``kill -9``, a power cut) cannot clean up after itself: its generation stays on disk.
So every build first removes each generation that CURRENT does not name and whose writer is gone (its lock is
not held): :func:`sweep`. A generation whose files were removed or cut short after it was written is found by
:func:`verify_generation` (``gen-<stamp>.files.json`` lists its database files and their sizes): reading it
gives a clear :class:`~kg.errors.StoreError`, and the next build rebuilds it in full.

A build writes a new generation beside the live one and only then points CURRENT at it. A build that fails
or is killed leaves CURRENT, and so the previous store, untouched. An incremental build starts the new
generation as a backup of the live one (RocksDB checkpoint: hard links, so it costs little), drops the graphs
that changed and loads their new contents; the swap is the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError

CURRENT = "CURRENT"
#: Suffix of the folder beside a generation that holds its kept answers (:mod:`kg.query.kept`).
ANSWERS = ".answers"
#: Suffix of the lock file the writer of a generation holds while it writes it.
LOCK = ".lock"
#: Suffix of the list of a generation's database files and their sizes (:func:`verify_generation`).
DB_FILES = ".files.json"


def open_store(path: Path) -> ox.Store:
    """Open the live generation of the store at *path* for reading."""
    return open_generation(current_generation(path))


def open_generation(gen: Path) -> ox.Store:
    """Open one generation folder for reading (for callers that keep things beside it, :mod:`kg.query.kept`)."""
    problem = verify_generation(gen)
    if problem:
        raise StoreError(f"{gen.parent}: the store is damaged ({problem}). Run `kg build`: it rebuilds it.")
    try:
        return ox.Store.read_only(str(gen))
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"{gen}: cannot open the store ({exc}). Run `kg build`: it rebuilds it.") from None


#: The database files a manifest lists with their sizes: written once when the generation is closed, never
#: changed after (RocksDB's table files, its MANIFEST, CURRENT and OPTIONS; not its LOG).
_DB_FILE_PREFIXES = ("MANIFEST-", "OPTIONS-", "CURRENT")


def _older(gen: Path) -> bool:
    """Whether *gen*'s manifest predates the list of database files (written by an older kg)."""
    try:
        return "db_files_listed" not in json.loads(gen.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True


def _db_files(gen: Path) -> dict[str, int]:
    """The database files of a closed generation and their sizes."""
    out = {}
    for f in sorted(gen.iterdir()):
        if f.is_file() and (f.suffix in (".sst", ".blob") or f.name.startswith(_DB_FILE_PREFIXES)):
            out[f.name] = f.stat().st_size
    return out


def verify_generation(gen: Path) -> str:
    """What is wrong with the files of *gen* (a file missing or of another size than when it was written), or ''.

    The list is a small file of its own (the manifest names every data file: megabytes at a million statements,
    too much to parse at each open). Generations written before it was kept are taken as they are.
    """
    listing = gen.with_suffix(DB_FILES)
    try:
        expected = json.loads(listing.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "" if _older(gen) else f"{listing} is missing"
    except (OSError, ValueError):
        return f"{listing} is unreadable"
    if not isinstance(expected, dict):
        return f"{listing} is unreadable"
    for name, size in expected.items():
        f = gen / name
        try:
            actual = f.stat().st_size
        except OSError:
            return f"{f} is missing"
        if actual != size:
            return f"{f} has {actual} bytes where {size} were written"
    return ""


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


class Generation:
    """A generation being written: load into :attr:`store`, check it, then :meth:`commit` to swap it in."""

    def __init__(self, root: Path, folder: Path, store: ox.Store) -> None:
        self.root = root
        self.folder = folder
        self._store: ox.Store | None = store
        self.committed = False

    @property
    def store(self) -> ox.Store:
        """The generation's Oxigraph store, open for writing until the generation is closed."""
        if self._store is None:
            raise StoreError(f"{self.folder}: this generation is closed.")
        return self._store

    def close(self) -> None:
        """Drop our handle on the store; RocksDB closes when the last handle goes.

        pyoxigraph has no explicit close, and a handle may survive in a reference cycle (a frame kept by a
        caught exception's traceback, as in rdflib and pySHACL), so collect those too when a handle is left.
        """
        store, self._store = self._store, None
        if store is not None and sys.getrefcount(store) > 2:  # held elsewhere too (2: `store` and the argument)
            del store
            gc.collect()  # a full collection costs 0.3 s after a load of a million statements: only when needed

    def commit(self, manifest: dict[str, Any]) -> Path:
        """Flush and close the store, write its manifest, and point CURRENT at it; returns the generation's folder.

        The store is closed first: a writer still open could be deleting files that a reader opening the
        generation expects to find. Whoever holds another handle on :attr:`store` must have dropped it.
        """
        self.store.flush()
        self.close()
        _write_atomic(self.folder.with_suffix(DB_FILES), json.dumps(_db_files(self.folder), indent=0))
        manifest = {**manifest, "db_files_listed": True}
        _write_atomic(self.folder.with_suffix(".json"), json.dumps(manifest, ensure_ascii=False, indent=2))
        _fsync_dir(self.root)
        _write_atomic(self.root / CURRENT, self.folder.name + "\n")
        _fsync_dir(self.root)
        self.committed = True
        return self.folder


@contextlib.contextmanager
def new_generation(
    path: Path, *, base: Path | None = None, drop_graphs: Iterable[ox.NamedNode] = ()
) -> Iterator[Generation]:
    """A new generation beside the live one; removed again unless :meth:`Generation.commit` was called.

    Without *base* it starts empty. With *base* (the live generation) it starts as a copy of it (a RocksDB
    checkpoint: hard links, so it costs little) less *drop_graphs*: an incremental build then loads only the
    graphs that changed. Either way CURRENT moves only in :meth:`Generation.commit`, after the new generation
    is complete and flushed; an error, a failed check or a kill before that leaves the old store live.
    """
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{time.time_ns() % 10**9:09d}"
    folder = path / f"gen-{stamp}"
    gen: Generation | None = None
    lock = _hold(folder.with_suffix(LOCK))  # before the folder exists: a sweep never takes a live one for dead
    try:
        if base is not None:
            ox.Store.read_only(str(base)).backup(str(folder))
        gen = Generation(path, folder, ox.Store(str(folder)))
        for graph in drop_graphs:
            gen.store.remove_graph(graph)
        yield gen
    finally:
        committed = gen is not None and gen.committed
        if gen is not None:
            gen.close()  # before removing its files
        if committed:
            remove_old_generations(path, keep=folder.name)
        else:
            shutil.rmtree(folder, ignore_errors=True)
            folder.with_suffix(".json").unlink(missing_ok=True)
        folder.with_suffix(LOCK).unlink(missing_ok=True)
        os.close(lock)


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


def _hold(lock: Path) -> int:
    """Create and hold (fcntl) the writer's lock file *lock*, with our PID in it; the open descriptor."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
    except BaseException:  # a full disk: no lock file left behind
        lock.unlink(missing_ok=True)
        os.close(fd)
        raise
    return fd


def _held(lock: Path) -> bool:
    """Whether a live process holds *lock* (a process that died, even by kill -9, holds nothing)."""
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock we may have taken
    return False


def sweep(path: Path) -> list[str]:
    """Remove every generation of the store at *path* that CURRENT does not name and no live writer holds, with
    its manifest, kept answers and lock; return the names removed. Call it holding :func:`write_lock`.

    What a killed build leaves behind is found here: nothing else would ever delete it.
    """
    pointer = path / CURRENT
    live = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else ""
    names = {p.name.split(".", 1)[0] for p in path.glob("gen-*")}
    removed = []
    for name in sorted(names - {live}):
        if _held(path / (name + LOCK)):
            continue
        for suffix in ("", ".json", DB_FILES, ANSWERS, LOCK):
            p = path / (name + suffix)
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
        removed.append(name)
    return removed


def remove_old_generations(path: Path, keep: str) -> None:
    """Delete every generation of the store folder *path* but *keep* (its folder, manifest and kept answers),
    except one a live writer holds.

    A commit calls it once ``CURRENT`` names the new generation.
    """
    # Each generation before the answers kept beside it (kg.query.kept.write_beside relies on that order).
    for old in sorted(path.glob("gen-*"), key=lambda p: (p.name.endswith(ANSWERS), p.name)):
        if old.name in (keep, keep + ".json", keep + DB_FILES, keep + ANSWERS, keep + LOCK):
            continue
        if _held(path / (old.name.split(".", 1)[0] + LOCK)):
            continue  # another writer's generation, still being written
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
