"""Answers kept per store generation, so that asking the same question of the same store twice is cheap.

A generation of the embedded store (:mod:`kg.store.generations`) never changes once a build has committed it:
every build, full or incremental, writes a new one. An answer computed on a generation therefore stays right for as long
as that generation lives, and needs no invalidation rule: a rebuild makes a new generation with an empty
folder of answers, and the build that replaces a generation removes its answers with it (:mod:`kg.store.generations`).

The catalogue's lists answer in hundreds of milliseconds at a million statements on disk, whatever the plan:
each of thousands of rows reads a dozen terms, each a RocksDB seek and a string (see docs/stores-and-scale.md).
The second time they are asked (``kg query -q``, ``kg serve``, the query page, a notebook), the answer comes
from here instead: one file read, parsed by pyoxigraph's SPARQL results parser, no worker process started.

Layout::

    <store>/gen-<stamp>.answers/<sha256>.srj     one answer: a JSON header line, then SPARQL results JSON
                                                 (or, for CONSTRUCT and DESCRIBE, N-Triples), zlib-compressed
    <store>/gen-<stamp>.answers/entities.sqlite  the index of names kg ask reads (:mod:`kg.names.kept`)
    <store>/gen-<stamp>.answers/warming.json     what the warmer did after the build (:mod:`kg.query.warmer`)

The key is the SHA-256 of everything the answer depends on besides the data: the query text as the guard
passed it, the prefixes it was parsed with, its form, the bound parameters, the row limit, and the versions of
pyoxigraph and of this format (an upgraded engine may answer differently). What is kept is bounded: an answer
over :data:`MAX_ENTRY_BYTES` is not kept; past :data:`MAX_TOTAL_BYTES` for a generation the least recently used
answers are removed. Files are written to a temporary name and renamed, so a reader sees a whole answer or
none; a file that does not parse is ignored and removed. A store folder the user may not write to simply
gets no answers kept. Answers of a remote endpoint are never kept: the server's data may change under us.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.evaluation import QueryResult, Term
from kg.store.generations import ANSWERS as SUFFIX

#: Bumped whenever the file format or the meaning of an answer changes.
FORMAT_VERSION = 2
#: An answer larger than this is not kept (bytes).
MAX_ENTRY_BYTES = 32 * 1024 * 1024
#: An answer is not read back if its body inflates past this (bytes): a guard against a foreign file.
MAX_EXPANDED_BYTES = 1024 * 1024 * 1024
#: Above this, a generation's least recently used answers are removed (bytes).
MAX_TOTAL_BYTES = 256 * 1024 * 1024
_EXT = ".srj"


def answers_folder(generation: Path) -> Path:
    """The folder that holds the answers of *generation* (beside it, never inside the RocksDB folder)."""
    return generation.with_name(generation.name + SUFFIX)


def answer_key(sparql: str, form: str, bindings: Mapping[str, Term], limit: int) -> str:
    """The key of an answer: a SHA-256 of the query, its prefixes, form, parameters and limit, and the engine."""
    material = json.dumps(
        [FORMAT_VERSION, ox.__version__, form, sparql, sorted(PREFIXES.items()),
         sorted((k, str(v)) for k, v in bindings.items()), limit],
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def write_beside(generation: Path, name: str, data: bytes) -> bool:
    """Write *data* as *name* in the folder beside *generation* (temporary file, then rename); True when written.

    Only while the generation exists, and never leaving a folder behind for a generation a build has
    removed meanwhile: a build removes the generation first and its folder after it
    (:mod:`kg.store.generations`), so a folder made here after that is seen here, by the generation being gone,
    and removed. Never raises for a folder that cannot be written.
    """
    if not generation.is_dir():
        return False
    folder = answers_folder(generation)
    target = folder / name
    tmp = folder / f".{name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    try:
        folder.mkdir(exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
        written = True
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        written = False
    if not generation.is_dir():  # removed by a build while we wrote: take the folder with it
        shutil.rmtree(folder, ignore_errors=True)
        return False
    return written


class AnswerCache:
    """The answers kept for one generation of the embedded store."""

    def __init__(self, generation: Path, *, max_total_bytes: int = MAX_TOTAL_BYTES) -> None:
        self.generation = generation
        self.folder = answers_folder(generation)
        self.max_total_bytes = max_total_bytes

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{_EXT}"

    def get(self, key: str) -> QueryResult | None:
        """The answer kept under *key*, or None (none kept, or a file that no longer reads)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            result = _decode(data)
        except (ValueError, SyntaxError, KeyError, TypeError, zlib.error):
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest when the folder is trimmed
        return result

    def put(self, key: str, result: QueryResult) -> bool:
        """Keep *result* under *key*; True when it was written.

        Every answer is worth keeping: the worker process that computes one (:func:`kg.query.runner.run_query`) takes
        about 0.6 s to start, reading a kept answer of a thousand rows about 20 ms. Never raises for a folder
        that cannot be written: the answer is simply not kept.
        """
        if not self.generation.is_dir():
            return False
        data = _encode(result)
        if len(data) > MAX_ENTRY_BYTES:
            return False
        if not write_beside(self.generation, self._path(key).name, data):
            return False
        self._trim()
        return True

    def _trim(self) -> None:
        """Remove the least recently used answers while the folder holds more than :attr:`max_total_bytes`."""
        entries: list[tuple[float, int, Path]] = []
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                if entry.name.endswith(_EXT):
                    st = entry.stat()
                    entries.append((st.st_mtime, st.st_size, Path(entry.path)))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_total_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
            total -= size


def _encode(result: QueryResult) -> bytes:
    """One answer as bytes: a JSON header line, then the SPARQL results JSON (or N-Triples for graphs)."""
    from kg.query.results import to_json

    header = {"version": FORMAT_VERSION, "form": result.form, "variables": result.variables,
              "truncated": result.truncated, "limit": result.limit}
    if result.form in ("construct", "describe"):
        body = ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES) or b""
    else:
        body = json.dumps(to_json(result), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # zlib at its fastest level: results JSON shrinks about 15 times (12.8 MB -> 0.84 MB in 34 ms for a whole list
    # at a million statements), so whole lists fit under MAX_ENTRY_BYTES at 5M and reads cost less disk.
    return json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + zlib.compress(body, 1)


def _decode(data: bytes) -> QueryResult:
    """The answer :func:`_encode` wrote; raises ValueError for anything else."""
    first, sep, body = data.partition(b"\n")
    if not sep:
        raise ValueError("no header line")
    header: dict[str, Any] = json.loads(first)
    if header.get("version") != FORMAT_VERSION:
        raise ValueError("another format version")
    inflate = zlib.decompressobj()
    body = inflate.decompress(body, MAX_EXPANDED_BYTES)
    if inflate.unconsumed_tail or not inflate.eof:
        raise ValueError("a body that does not inflate whole, or past MAX_EXPANDED_BYTES")
    form = str(header["form"])
    common: dict[str, Any] = {"form": form, "truncated": bool(header["truncated"]), "limit": int(header["limit"]),
                              "cached": True}
    if form in ("construct", "describe"):
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        return QueryResult(triples=triples, **common)
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if form == "ask":
        if not isinstance(parsed, ox.QueryBoolean):
            raise ValueError("an ASK answer without a boolean")
        return QueryResult(boolean=bool(parsed), **common)
    if not isinstance(parsed, ox.QuerySolutions):
        raise ValueError("a SELECT answer without solutions")
    variables = [str(v) for v in header["variables"]]
    rows: list[dict[str, Term | None]] = [{name: solution[name] for name in variables} for solution in parsed]
    return QueryResult(variables=variables, rows=rows, **common)
