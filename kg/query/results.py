"""Write query results as an aligned table, CSV, TSV, SPARQL 1.1 JSON results, Turtle or N-Triples."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.query.evaluation import QueryResult, Term
from kg.query.tables import format_table

#: Output formats of ``kg query``.
RESULT_FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt")

# Longest namespaces first, so that zr: does not hide a more specific prefix.
_COMPACT = sorted(((ns, p) for p, ns in PREFIXES.items()), key=lambda item: -len(item[0]))


def compact(iri: str) -> str:
    """Shorten an IRI with the project's prefixes (``zs:ChamberOfCommerce``); unknown IRIs stay whole."""
    for ns, prefix in _COMPACT:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def term_cell(term: Term | ox.Triple | None) -> str:
    """A term for a human: a literal's text, an IRI compacted, a blank node as ``_:id``, nothing as ''."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return str(term)


def default_format(result: QueryResult) -> str:
    """Turtle for graphs (CONSTRUCT, DESCRIBE), a table for the rest."""
    return "ttl" if result.form in ("construct", "describe") else "table"


def truncation_note(result: QueryResult) -> str:
    """One line saying that rows were cut, or '' when nothing was."""
    if not result.truncated:
        return ""
    what = "triples" if result.form in ("construct", "describe") else "rows"
    return (f"Only the first {result.limit} {what} are shown: the result has more. "
            f"Raise --limit (0 for no limit) to see them all.")


def render(result: QueryResult, fmt: str | None = None, max_col: int = 60) -> str:
    """*result* in *fmt* (see :data:`RESULT_FORMATS`; ``None`` picks by query form)."""
    fmt = fmt or default_format(result)
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"Unknown format {fmt!r}. Use one of: {', '.join(RESULT_FORMATS)}.")
    graph_form = result.form in ("construct", "describe")
    if fmt in ("ttl", "nt"):
        if not graph_form:
            raise QueryError(
                f"--format {fmt} is for CONSTRUCT and DESCRIBE queries; this is {result.form.upper()}. "
                "Use table, csv, tsv or json."
            )
        return _graph_text(result.triples, fmt)
    if graph_form:
        table = QueryResult(
            form="select",
            variables=["subject", "predicate", "object"],
            rows=[{"subject": t.subject, "predicate": t.predicate, "object": t.object}  # type: ignore[dict-item]
                  for t in result.triples],
        )
        return render(table, fmt, max_col) if fmt != "table" else _table(table, result, max_col)
    if fmt == "table":
        return _table(result, result, max_col)
    if fmt == "csv":
        return to_csv(result)
    if fmt == "tsv":
        return to_tsv(result)
    return json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"


def _table(rows: QueryResult, original: QueryResult, max_col: int) -> str:
    if original.form == "ask":
        return ("yes" if original.boolean else "no") + "\n"
    body = format_table(rows.variables, [[term_cell(r.get(v)) for v in rows.variables] for r in rows.rows], max_col)
    what = "triples" if original.form in ("construct", "describe") else "rows"
    n = len(rows.rows)
    footer = f"({n} {what[:-1] if n == 1 else what})"
    if original.truncated:
        footer = f"({n} {what} shown; there are more: raise --limit, 0 for no limit)"
    return f"{body}\n{footer}\n"


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV: a header of variable names, then plain values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.form == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(row.get(v)) for v in result.variables])
    return out.getvalue()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results TSV: ``?var`` headers, terms in N-Triples syntax."""
    if result.form == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if row.get(v) is None else str(row.get(v)) for v in result.variables))
    return "\n".join(lines) + "\n"


def to_json(result: QueryResult) -> dict[str, Any]:
    """SPARQL 1.1 Query Results JSON as a dict."""
    if result.form == "ask":
        return {"head": {}, "boolean": bool(result.boolean)}
    return {
        "head": {"vars": list(result.variables)},
        "results": {
            "bindings": [
                {v: term_json(t) for v in result.variables if (t := row.get(v)) is not None} for row in result.rows
            ]
        },
    }


def term_json(term: Term | ox.Triple) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 JSON results form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {"subject": term_json(term.subject), "predicate": term_json(term.predicate),
                  "object": term_json(term.object)},
    }


def _graph_text(triples: Sequence[ox.Triple], fmt: str) -> str:
    if fmt == "nt":
        data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    else:
        data = ox.serialize(list(triples), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return (data or b"").decode("utf-8")
