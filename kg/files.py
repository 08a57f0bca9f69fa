"""Read text files strictly: UTF-8, an optional BOM made explicit, never a silent replacement character."""

from __future__ import annotations

import codecs
from pathlib import Path

from kg.errors import EncodingError, InputError

#: Files larger than this are refused before they are read (bytes).
MAX_TEXT_BYTES = 64 * 1024 * 1024


def read_bytes(path: Path, *, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """Read a file, with a clear error when it is missing, a folder or too large."""
    if not path.exists():
        raise InputError(f"{path}: no such file. Check the path, or run from the project folder.")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file.")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: {size} bytes is above the limit of {max_bytes} bytes.")
    return path.read_bytes()


def decode_utf8(data: bytes, name: str) -> tuple[str, bool]:
    """Decode UTF-8 bytes; return the text and whether a BOM was removed.

    Anything that is not UTF-8 raises :class:`EncodingError` naming the line and column of the first bad
    byte, and says so when the bytes read as GB18030 (the usual case for Chinese text), so that the user can
    convert the file instead of loading garbage.
    """
    had_bom = data.startswith(codecs.BOM_UTF8)
    if had_bom:
        data = data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EncodingError(f"{name}: is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8.")
    try:
        return data.decode("utf-8"), had_bom
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = " It reads as GB18030/GBK: convert it with `iconv -f GB18030 -t UTF-8`."
        except UnicodeDecodeError:
            pass
        raise EncodingError(
            f"{name}: is not UTF-8 (byte 0x{data[exc.start]:02X} at line {line}, column {col}).{hint}"
        ) from None


def read_text(path: Path) -> tuple[str, bool]:
    """Read a UTF-8 text file (BOM allowed and reported); see :func:`decode_utf8`."""
    return decode_utf8(read_bytes(path), str(path))
