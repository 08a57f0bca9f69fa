"""Query results as pandas DataFrames with typed columns, and as tables that open in Excel (``kg table``).

RDF terms become Python values by their datatype, column by column: ``xsd:decimal`` (money) as
:class:`decimal.Decimal` so that no amount is rounded (or ``float`` on request), the integer types as pandas'
nullable ``Int64``, ``xsd:double``/``xsd:float`` as ``float``, ``xsd:boolean`` as ``boolean``, ``xsd:date`` as
:class:`datetime.date`, ``xsd:dateTime`` as :class:`datetime.datetime`, ``xsd:gYear`` as an ``Int64`` year; IRIs,
blank nodes, language-tagged and plain strings, and every other datatype (``xsd:gYearMonth`` …) as text. A
column whose cells have different kinds (a number in one row, a name in another) is text throughout, so that a
column never changes meaning half-way down. A missing value is ``None`` (``<NA>`` in the nullable columns).

pandas and openpyxl are the ``analysis`` extra (``pip install 'zhaoshang-kg[analysis]'``); without them these
functions raise :class:`kg.errors.MissingExtra` saying so, and nothing else of the package needs them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, MissingExtra

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                               "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
                               "unsignedShort", "unsignedByte")}
_FLOATS = {XSD + "double", XSD + "float"}
#: Output formats of ``kg table``.
TABLE_FORMATS = ("csv", "xlsx")
# Text a spreadsheet would run as a formula (CSV injection): such cells of text columns get a leading quote
# in CSV; in xlsx every text cell is stored as text, never as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (so xlsx) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def pandas() -> Any:
    """The pandas module, or a clear error naming the extra to install."""
    try:
        import pandas as pd
    except ImportError:
        raise MissingExtra(
            "Tables need pandas: install the analysis extra, pip install 'zhaoshang-kg[analysis]' "
            "(pandas and openpyxl)."
        ) from None
    return pd


def _kind(term: object) -> str:
    """The column kind a term asks for: decimal, integer, float, boolean, date, datetime, year or text."""
    if not isinstance(term, ox.Literal) or term.language:
        return "text"
    dtype = term.datatype.value
    if dtype == XSD + "decimal":
        return "decimal"
    if dtype in _INTEGERS:
        return "integer"
    kinds = {XSD + "boolean": "boolean", XSD + "date": "date", XSD + "dateTime": "datetime", XSD + "gYear": "year"}
    if dtype in _FLOATS:
        return "float"
    return kinds.get(dtype, "text")


def _text(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term.value)
    return str(term)


def _value(term: ox.Literal, kind: str, decimal: bool) -> Any:
    """One literal as a value of its column's *kind*; a malformed lexical form is an error naming it."""
    text = term.value.strip()
    try:
        if kind == "decimal":
            return Decimal(text) if decimal else float(Decimal(text))
        if kind == "integer":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "boolean":
            return {"true": True, "1": True, "false": False, "0": False}[text]
        if kind == "date":
            return dt.date.fromisoformat(text[:10])
        if kind == "datetime":
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if kind == "year":
            return int(re.match(r"-?\d{4,}", text).group(0))  # type: ignore[union-attr]
    except (InvalidOperation, ValueError, KeyError, AttributeError):
        raise InputError(f"The value {term.value!r} is not a valid {term.datatype.value}.") from None
    return text


def frame(variables: Sequence[str], rows: Iterable[dict[str, Any]], decimal: bool = True) -> Any:
    """A DataFrame of *rows* (variable name -> RDF term or None) with one typed column per variable."""
    pd = pandas()
    rows = list(rows)
    columns: dict[str, Any] = {}
    for var in variables:
        cells = [r.get(var) for r in rows]
        kinds = {_kind(c) for c in cells if c is not None}
        if kinds == {"integer", "decimal"}:
            kinds = {"decimal"}  # an integer is a decimal too (xsd:integer is derived from xsd:decimal)
        kind = kinds.pop() if len(kinds) == 1 else "text"
        if kind == "text":
            columns[var] = pd.Series([_text(c) for c in cells], dtype="object")
            continue
        values = [None if c is None else _value(c, kind, decimal) for c in cells]
        if kind in ("integer", "year"):
            columns[var] = pd.Series(values, dtype="Int64")
        elif kind == "boolean":
            columns[var] = pd.Series(values, dtype="boolean")
        elif kind == "float" or (kind == "decimal" and not decimal):
            columns[var] = pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
        else:  # Decimal, date and datetime stay Python objects: exact, and dates without a time
            columns[var] = pd.Series(values, dtype="object")
    return pd.DataFrame(columns, columns=list(variables))


def graph_frame(triples: Iterable[ox.Triple]) -> Any:
    """A DataFrame of subject, predicate and object, as text (a CONSTRUCT or DESCRIBE result)."""
    pd = pandas()
    return pd.DataFrame([(_text(t.subject), _text(t.predicate), _text(t.object)) for t in triples],
                        columns=["subject", "predicate", "object"], dtype="object")


def write_table(df: Any, path: Path, fmt: str, sheet: str = "kg") -> None:
    """Write *df* to *path* as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese) or xlsx,
    through a temporary file renamed into place: a failed write leaves no half-written table."""
    if fmt not in TABLE_FORMATS:
        raise InputError(f"Unknown table format {fmt!r}. Use one of: {', '.join(TABLE_FORMATS)}.")
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"{path}: the folder {path.parent} does not exist.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "csv":
            _csv_safe(df).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        else:
            _write_xlsx(df, tmp, sheet)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _csv_safe(df: Any) -> Any:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in out[col]]
    return out


def _write_xlsx(df: Any, path: Path, sheet: str) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise MissingExtra("xlsx tables need openpyxl: install the analysis extra, "
                           "pip install 'zhaoshang-kg[analysis]'.") from None
    pd = pandas()
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet
    widths = [len(str(c)) for c in df.columns]
    for j, name in enumerate(df.columns, start=1):
        cell = ws.cell(row=1, column=j, value=_xml_text(str(name)))
        cell.font = Font(bold=True)
    for i, row in enumerate(df.itertuples(index=False, name=None), start=2):
        for j, v in enumerate(row, start=1):
            if v is None or (not isinstance(v, str | Decimal | dt.date) and pd.isna(v)):
                continue
            if isinstance(v, str):
                cell = ws.cell(row=i, column=j)
                cell.value = _xml_text(v)
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                widths[j - 1] = max(widths[j - 1], min(len(v), 60))
            elif isinstance(v, dt.datetime):
                ws.cell(row=i, column=j, value=v.replace(tzinfo=None)).number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(v, dt.date):
                ws.cell(row=i, column=j, value=v).number_format = "yyyy-mm-dd"
            elif isinstance(v, bool):
                ws.cell(row=i, column=j, value=bool(v))
            elif isinstance(v, Decimal):
                ws.cell(row=i, column=j, value=v)  # a number in Excel: exact to 15 digits, as every amount here
                widths[j - 1] = max(widths[j - 1], len(str(v)) + 2)
            else:
                ws.cell(row=i, column=j, value=v.item() if hasattr(v, "item") else v)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(8, w + 2)
    ws.freeze_panes = "A2"
    wb.save(path)


def _xml_text(text: str) -> str:
    return _ILLEGAL_XML.sub("\ufffd", text)
