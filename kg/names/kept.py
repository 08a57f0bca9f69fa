"""The entity index kept per store generation, so that ``kg ask`` does not read every name of the store again.

``kg ask`` finds the entities a question names with an :class:`~kg.names.index.EntityIndex` of every label and
alias (:func:`kg.names.index.load_entities`): at a million statements that reads about 340,000 rows, 14 s here.
Like an answer (:mod:`kg.query.kept`), the index of a generation never changes, so it is kept beside it, in
``<store>/gen-<stamp>.answers/entities.sqlite``, the first time it is needed (or by the warmer right after a
build, :mod:`kg.query.warmer`), and removed with its generation.

It is an SQLite database, not a file read whole: a question needs only the entities whose names occur in it, and
:func:`kept_entities_for` looks up every substring of the question that could be a name in an indexed table,
then reads those entities alone: about 5 ms at 1M statements, where reading the whole index takes 0.6 s (and
took 1 s as JSON, 5 s at 5M). :func:`kept_entities` still reads it whole, for what needs every name (the
suggestions for a name that matches nothing).

The database records a fingerprint of the code that made it (this format, the source of :mod:`kg.names.index`, the
engine's version): an index made by other code is made again, never trusted. It is built in memory, written
to a temporary name and renamed, and opened read-only as immutable; a file that does not open or read is
ignored and replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.names.index import Entity, EntityIndex, load_entities, normalize
from kg.query.kept import answers_folder, write_beside

FILE = "entities.sqlite"
FORMAT_VERSION = 2
#: Above this many characters (normalised), a text is matched against the whole index instead of its substrings.
MAX_TEXT = 2_000
#: Parameters of one SQL statement (SQLite allows 32,766 since 3.32, but older builds 999).
_CHUNK = 900

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entities (iri TEXT PRIMARY KEY, row TEXT NOT NULL);
CREATE TABLE names (name TEXT NOT NULL, position INTEGER NOT NULL, iri TEXT NOT NULL);
"""


@cache
def fingerprint() -> str:
    """What the kept index depends on besides the data: this format, the indexing code, the engine."""
    import kg.names.index

    source = Path(kg.names.index.__file__).read_bytes()
    return hashlib.sha256(b"%d\0%s\0" % (FORMAT_VERSION, ox.__version__.encode()) + source).hexdigest()


def kept_entities(generation: Path, store: ox.Store) -> EntityIndex:
    """The whole entity index of *generation* (open as *store*): read back when kept, else made and kept."""
    with _open(answers_folder(generation) / FILE) as db:
        if db is not None:
            index = _whole(db)
            if index is not None:
                return index
    return _make(generation, store)


def kept_entities_for(generation: Path, store: ox.Store, text: str) -> EntityIndex:
    """The part of *generation*'s entity index that *text* can name: every name that occurs in it (normalised,
    as :func:`kg.names.index.find_mentions` matches), with all the entities they name, in the whole index's order.

    :func:`~kg.names.index.find_mentions` finds the same mentions in it as in the whole index. Made and kept
    first when not kept yet.
    """
    norm = normalize(text)
    with _open(answers_folder(generation) / FILE) as db:
        if db is not None:
            index = _whole(db) if len(norm) > MAX_TEXT else _part(db, norm)
            if index is not None:
                return index
    return _make(generation, store)


def _make(generation: Path, store: ox.Store) -> EntityIndex:
    index = load_entities(store)
    write_beside(generation, FILE, _database(index))
    return index


# ---------------------------------------------------------------------------- reading


@contextlib.contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection | None]:
    """The kept database read-only, or None when it is missing, unreadable or made by other code."""
    if not path.is_file():
        yield None
        return
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro&immutable=1"
    db: sqlite3.Connection | None = None
    try:
        db = sqlite3.connect(uri, uri=True)
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        ok = row is not None and row[0] == fingerprint()
    except sqlite3.Error:
        ok = False
    try:
        yield db if ok else None
    finally:
        if db is not None:
            db.close()


def _entity(row: str) -> Entity:
    v = json.loads(row)
    return Entity(iri=v[0], label_zh=v[1], label_en=v[2], aliases=v[3], classes=v[4], class_label=v[5],
                  parent=v[6], governs=v[7], is_place=v[8], is_concept=v[9])


def _whole(db: sqlite3.Connection) -> EntityIndex | None:
    try:
        entities = {}
        for (row,) in db.execute("SELECT row FROM entities ORDER BY rowid"):
            e = _entity(row)
            entities[e.iri] = e
        names: dict[str, set[str]] = {}
        for name, iri in db.execute("SELECT name, iri FROM names ORDER BY position, iri"):
            names.setdefault(name, set()).add(iri)
    except (sqlite3.Error, ValueError, TypeError, IndexError):
        return None
    return EntityIndex(entities=entities, names=names)


def _substrings(norm: str, longest: int) -> set[str]:
    return {norm[i:j] for i in range(len(norm)) for j in range(i + 1, min(len(norm), i + longest) + 1)}


def _where_in(db: sqlite3.Connection, select: str, column: str, values: list[str]) -> Iterable[tuple[Any, ...]]:
    """The rows of ``select … WHERE column IN values``, asked in chunks of bound parameters."""
    for i in range(0, len(values), _CHUNK):
        chunk = values[i:i + _CHUNK]
        yield from db.execute(f"{select} WHERE {column} IN ({','.join('?' * len(chunk))})", chunk)


def _part(db: sqlite3.Connection, norm: str) -> EntityIndex | None:
    try:
        longest = int(db.execute("SELECT value FROM meta WHERE key = 'longest'").fetchone()[0])
        found = list(_where_in(db, "SELECT position, name, iri FROM names", "name",
                               sorted(_substrings(norm, longest))))
        names: dict[str, set[str]] = {}
        for _, name, iri in sorted(found):
            names.setdefault(name, set()).add(iri)
        iris = sorted({iri for _, _, iri in found})
        rows = sorted(_where_in(db, "SELECT rowid, row FROM entities", "iri", iris))
        entities = {e.iri: e for e in (_entity(row) for _, row in rows)}
    except (sqlite3.Error, ValueError, TypeError, IndexError):
        return None
    if set(entities) != set(iris):
        return None  # a name without its entity: not a database this code wrote
    return EntityIndex(entities=entities, names=names)


# ---------------------------------------------------------------------------- writing


def _database(index: EntityIndex) -> bytes:
    """*index* as the bytes of an SQLite database (built in memory)."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_SCHEMA)
        db.executemany("INSERT INTO entities (iri, row) VALUES (?, ?)", (
            (e.iri, json.dumps([e.iri, e.label_zh, e.label_en, e.aliases, e.classes, e.class_label, e.parent,
                                e.governs, e.is_place, e.is_concept], ensure_ascii=False, separators=(",", ":")))
            for e in index.entities.values()))
        db.executemany("INSERT INTO names (name, position, iri) VALUES (?, ?, ?)",
                       ((name, position, iri) for position, (name, iris) in enumerate(index.names.items())
                        for iri in sorted(iris)))
        db.execute("CREATE INDEX names_by_name ON names (name)")
        longest = max((len(name) for name in index.names), default=0)
        db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                       [("fingerprint", fingerprint()), ("longest", str(longest))])
        db.commit()
        return db.serialize()
    finally:
        db.close()
