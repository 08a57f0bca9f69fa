"""What ``kg serve`` adds for readers, beside the SPARQL endpoint: the ask box, catalogue questions with their
parameters, downloads, and pages made on request (a region's profile, a focused graph view).

Each function takes the project's paths and the request's values and returns a body; :mod:`kg.serve` routes to
them and sends the answer. Values from a request are never pasted into a query: a question is matched by the
asker (:func:`kg.asking.answer.ask_paths`), parameters are bound by :func:`kg.query.runner.run_text`, a region
or an entity is resolved against the store's names.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from kg.errors import InputError, KGError
from kg.paths import Paths
from kg.query.catalogue import Question, load_catalogue
from kg.query.evaluation import QueryResult

#: Longest ask text and parameter value accepted from a request.
MAX_TEXT = 500


def catalogue_entries(paths: Paths) -> list[dict[str, Any]]:
    """The catalogue questions for the page: name, titles, text and parameters (the page draws their fields)."""
    catalogue: dict[str, Question] = load_catalogue(paths.queries)
    return [{"name": q.name, "title": q.title_zh or q.title_en, "title_en": q.title_en, "sparql": q.sparql,
             "params": [{"name": p.name, "kind": p.kind, "required": p.required, "description": p.description}
                        for p in q.params]} for q in catalogue.values()]


def regions_for_page(paths: Paths) -> dict[str, str]:
    """Region IRI → label, so that the page links a region in a result to its profile."""
    from kg.store.generations import open_store
    from kg.views.regions import read_places

    try:
        places = read_places(open_store(paths.store))
    except KGError:  # no store yet: the page still works, without profile links
        return {}
    return {iri: r.label for iri, r in places.regions.items()}


def ask_answer(paths: Paths, text: str, fmt: str, limit: int) -> tuple[str, bytes]:
    """Answer a question in words: JSON (the answer, its parameters, rows and sources) or CSV (the rows)."""
    from kg.asking.answer import ask_paths

    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise InputError(f"Ask a question of 1 to {MAX_TEXT} characters.")
    answer = ask_paths(paths, text)
    if fmt == "csv":
        table = answer.table
        if table is None:
            raise InputError(answer.message or "No table to download for this question.")
        return "text/csv; charset=utf-8", _csv(table.variables, [
            {v: (None if t is None else str(t.value)) for v, t in row.items()} for row in table.rows])
    body = answer.to_json(limit)
    body["text"] = answer.render(limit=limit)
    return "application/json; charset=utf-8", json.dumps(body, ensure_ascii=False).encode("utf-8")


def run_question(paths: Paths, name: str, params: list[str], limit: int, timeout: float) -> QueryResult:
    """Run the catalogue question *name* with ``NAME=VALUE`` parameters, bound by the engine."""
    from kg.query.runner import run_text

    if any(len(p) > MAX_TEXT for p in params):
        raise InputError(f"A parameter value may have at most {MAX_TEXT} characters.")
    return run_text(paths, None, question=name, params=[p for p in params if p.partition("=")[2].strip()],
                    limit=limit, timeout=timeout)


def profile_html(paths: Paths, region: str) -> str:
    """A region's profile page, made on request."""
    from kg.backend import connect
    from kg.views.profile import profile_page

    if not region.strip() or len(region) > MAX_TEXT:
        raise InputError("Name a region: /profile/<name, code or IRI>.")
    return profile_page(connect(paths), region)


def focus_html(paths: Paths, entity: str, hops: int = 1) -> str:
    """The graph view around *entity*, made on request."""
    from kg.backend import connect
    from kg.views.graphpage import graph_page

    if not entity.strip() or len(entity) > MAX_TEXT:
        raise InputError("Name an entity: /focus?entity=<label, alias or IRI>.")
    return graph_page(connect(paths), focus=entity, hops=max(0, min(hops, 3)))


def _csv(variables: list[str], rows: list[dict[str, str | None]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([row.get(v) or "" for v in variables])
    return out.getvalue().encode("utf-8")
