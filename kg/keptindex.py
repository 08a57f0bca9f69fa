"""The entity index kept per store generation, so that ``kg ask`` does not read every name of the store again.

``kg ask`` finds the entities a question names with an :class:`~kg.entities.EntityIndex` of every label and
alias (:func:`kg.entities.load_entities`): at a million statements that reads about 340,000 rows, 14 s here.
Like an answer (:mod:`kg.answers`), the index of a generation never changes, so it is kept beside it, in
``<store>/gen-<stamp>.answers/entities.json``, the first time it is needed (or by the warmer right after a
build, :mod:`kg.warmer`), and read back in a fraction of a second after that. It is removed with its
generation. The file records a fingerprint of the code that made it (this format, the source of
:mod:`kg.entities`, the engine's version): an index made by other code is made again, never trusted. It is
written to a temporary name and renamed; a file that does not read is ignored and replaced.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.answers import answers_folder, write_beside
from kg.entities import Entity, EntityIndex, load_entities

FILE = "entities.json"
FORMAT_VERSION = 1


@cache
def fingerprint() -> str:
    """What the kept index depends on besides the data: this format, the indexing code, the engine."""
    import kg.entities

    source = Path(kg.entities.__file__).read_bytes()
    return hashlib.sha256(b"%d\0%s\0" % (FORMAT_VERSION, ox.__version__.encode()) + source).hexdigest()


def kept_entities(generation: Path, store: ox.Store) -> EntityIndex:
    """The entity index of *generation* (open as *store*): read back when kept, else made and kept."""
    path = answers_folder(generation) / FILE
    index = _read(path)
    if index is None:
        index = load_entities(store)
        _write(generation, index)
    return index


def _read(path: Path) -> EntityIndex | None:
    try:
        data = json.loads(path.read_bytes())
        if data.get("fingerprint") != fingerprint():
            return None
        entities = {row[0]: Entity(iri=row[0], label_zh=row[1], label_en=row[2], aliases=row[3], classes=row[4],
                                   class_label=row[5], parent=row[6], governs=row[7], is_place=row[8],
                                   is_concept=row[9])
                    for row in data["entities"]}
        names = {key: set(iris) for key, iris in data["names"].items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    return EntityIndex(entities=entities, names=names)


def _write(generation: Path, index: EntityIndex) -> None:
    """Keep *index* (temporary file, then rename); nothing when the generation is gone or the folder read-only."""
    data: dict[str, Any] = {
        "fingerprint": fingerprint(),
        "entities": [[e.iri, e.label_zh, e.label_en, e.aliases, e.classes, e.class_label, e.parent, e.governs,
                      e.is_place, e.is_concept] for e in index.entities.values()],
        "names": {key: sorted(iris) for key, iris in index.names.items()},
    }
    write_beside(generation, FILE, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
