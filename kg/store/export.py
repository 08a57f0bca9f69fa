"""Write a store out as Turtle, N-Triples, TriG, N-Quads or JSON-LD, atomically."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import InputError, OutputError
from kg.namespaces import PREFIXES

if TYPE_CHECKING:  # the store layer never imports the remote one at run time
    from kg.remote.endpoint import RemoteStore

#: Export formats: name -> (pyoxigraph format, keeps named graphs).
EXPORT_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "ttl": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "trig": (ox.RdfFormat.TRIG, True),
    "nq": (ox.RdfFormat.N_QUADS, True),
    "jsonld": (ox.RdfFormat.JSON_LD, True),
}


def export(store: ox.Store | RemoteStore, fmt: str, out: Path) -> int:
    """Serialise *store* to *out* in *fmt*; returns the number of statements written.

    Triple formats (ttl, nt) merge every named graph into one graph; dataset formats (trig, nq, jsonld)
    keep them. Text formats end with a ``# kg-export: N …`` trailer that ``kg build`` checks, so that a
    truncated copy is never mistaken for a whole one. The file is written to a temporary name in the same
    folder and renamed into place, so a failure never leaves a half-written file.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"Unknown export format {fmt!r}. Use one of: {', '.join(EXPORT_FORMATS)}.")
    rdf_format, keeps_graphs = EXPORT_FORMATS[fmt]
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder; create it first or choose another -o path.")
    if is_folder(out):
        raise InputError(f"{out}: is a folder; give a file name such as {out / ('graph.' + fmt)}.")
    statements: list[ox.Quad] | list[ox.Triple]
    if keeps_graphs:
        statements = list(store)
    else:
        statements = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in store))
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    data = ox.serialize(statements, format=rdf_format, prefixes=prefixes) or b""
    if fmt != "jsonld":
        kind = "quads" if keeps_graphs else "triples"
        data += f"# kg-export: {len(statements)} {kind}\n".encode("ascii")
    write_atomic(out, data)
    return len(statements)


#: What to do about the usual reasons a write fails, by errno.
_WRITE_ADVICE = {
    errno.ENAMETOOLONG: "the file name is too long for the file system; choose a shorter name",
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EACCES: "permission denied; choose a folder you may write to",
    errno.EPERM: "permission denied; choose a folder you may write to",
    errno.EROFS: "the file system is read-only; choose another folder",
    errno.ENOENT: "the folder does not exist; create it first",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "the path is a folder; give a file name",
}


def write_error(target: Path, exc: OSError, what: str = "Cannot write") -> OutputError:
    """The :class:`~kg.errors.OutputError` for a failed write of *target*: the path, the cause and what to do.

    Nothing was replaced: the write goes to a temporary file first, so the old file (or store) is intact.
    """
    detail = exc.strerror or str(exc)
    cause = _WRITE_ADVICE.get(exc.errno or 0, "")
    return OutputError(f"{what} {target}: {f'{cause} ({detail})' if cause else detail}. Nothing was replaced.")


def is_folder(path: Path) -> bool:
    """Whether *path* is an existing folder. A path the file system cannot even look up (a name too long for it)
    raises :func:`write_error`'s clear error instead of a bare OSError."""
    try:
        return path.is_dir()
    except OSError as exc:
        raise write_error(path, exc) from None


def write_atomic(target: Path, data: bytes) -> None:
    """Write *data* to a temporary file beside *target*, fsync it, and rename it over *target*.

    Any failure (a name too long, a full disk, no permission) raises :func:`write_error`'s clear error and leaves
    *target* as it was.
    """
    tmp: str | None = None
    try:
        # a short temporary name: the target's own name may be close to the file system's limit
        fd, tmp = tempfile.mkstemp(prefix=".kg-", suffix=".tmp", dir=target.parent or ".")
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600 files; give the usual permissions
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise write_error(target, exc) from None
