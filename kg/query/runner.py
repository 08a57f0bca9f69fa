"""Run untrusted SPARQL in a worker process that is killed when it runs out of time.

The embedded engine ignores Python signals, so a runaway query cannot be interrupted in the process that
runs it: :func:`run_query` checks the query with :mod:`kg.query.guard`, starts a fresh worker process
(:mod:`kg.query.worker`, :func:`kg.query.pool.ask_once`), lets it open the store read-only and evaluate the query,
and kills it at the deadline. The worker drops its network access first where the system allows (a new
network namespace), as a second line behind the guard.
Rows beyond ``limit`` are not sent back; the result says that it was cut.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, QueryError, QuerySyntaxError, StoreError
from kg.paths import Paths
from kg.query.evaluation import DEFAULT_LIMIT, QueryResult, Term, evaluate_on
from kg.query.guard import CheckedQuery, check_query
from kg.query.kept import AnswerCache, answer_key
from kg.query.pool import WorkerPool, ask_once
from kg.remote.endpoint import RemoteStore
from kg.store.generations import current_generation

__all__ = ["DEFAULT_LIMIT", "DEFAULT_TIMEOUT", "QueryResult", "Term", "Warmed", "evaluate_on", "run_query",
           "run_remote", "run_text", "syntax_error", "warm_catalogue", "whole_answer"]

#: Seconds a query may run when no timeout is given.
DEFAULT_TIMEOUT = 30.0

_SYNTAX = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


def syntax_error(exc: BaseException) -> QuerySyntaxError:
    """Turn the engine's ``error at L:C: …`` message into a :class:`QuerySyntaxError` naming line and column."""
    text = str(exc)
    m = _SYNTAX.search(text)
    if m:
        return QuerySyntaxError(
            f"SPARQL syntax error at line {m.group(1)}, column {m.group(2)}: {m.group(3).strip()}."
        )
    return QuerySyntaxError(f"SPARQL syntax error: {text}")


def _check(sparql: str, limit: int, timeout: float) -> CheckedQuery:
    """Refuse bad limits and, with the guard, bad queries; the same rules for the store and for an endpoint."""
    if limit < 0:
        raise QueryError("--limit must be 0 (no limit) or more.")
    if timeout <= 0:
        raise QueryError("--timeout must be more than 0 seconds.")
    return check_query(sparql)


def run_query(
    store_path: Path,
    sparql: str,
    *,
    bindings: dict[str, Term] | None = None,
    limit: int = DEFAULT_LIMIT,
    timeout: float = DEFAULT_TIMEOUT,
    pool: WorkerPool | None = None,
) -> QueryResult:
    """Check *sparql* with the guard, then evaluate it on the store at *store_path* in a killable worker: a new
    one, or one kept running in *pool* (:mod:`kg.query.pool`, for a long-lived caller such as ``kg serve``).

    *bindings* maps variable names to RDF terms (substituted by the engine, never pasted into the text).
    Raises :class:`~kg.errors.QueryRefused`, :class:`~kg.errors.QuerySyntaxError` or
    :class:`~kg.errors.QueryTimeout`.

    An answer this generation of the store already gave (same query, parameters and limit) is read back from
    :mod:`kg.query.kept` without starting a worker; a new answer is kept there.
    """
    checked = _check(sparql, limit, timeout)
    started = time.perf_counter()
    generation = current_generation(store_path)
    answers = AnswerCache(generation)
    key = answer_key(checked.text, checked.form, bindings or {}, limit)
    kept = answers.get(key)
    if kept is not None:
        kept.seconds = time.perf_counter() - started
        return kept
    request = {"parent": os.getpid(), "generation": str(generation), "sparql": checked.text, "form": checked.form,
               "bindings": dict(bindings or {}), "limit": limit}
    kind, payload = pool.ask(request, timeout) if pool is not None else ask_once(request, timeout)
    if kind == "error":
        err_type, message = payload
        if err_type == "syntax":
            raise syntax_error(SyntaxError(message))
        if err_type == "store":
            raise StoreError(message)
        raise QueryError(message)
    result: QueryResult = payload
    answers.put(key, result)
    result.seconds = time.perf_counter() - started
    return result


def run_remote(
    store: RemoteStore,
    sparql: str,
    *,
    bindings: dict[str, Term] | None = None,
    limit: int = DEFAULT_LIMIT,
    timeout: float = DEFAULT_TIMEOUT,
) -> QueryResult:
    """What :func:`run_query` does, on a SPARQL endpoint: the same guard and limits, and the time limit is
    asked of the server (``timeout`` parameter) as well as enforced on the connection."""
    checked = _check(sparql, limit, timeout)
    bounded = RemoteStore(
        store.endpoint, timeout=timeout + 5, query_time_limit=timeout, graph_store=store.graph_store,
        row_limit=limit if limit > 0 else None,  # the limit reaches the server (kg.remote.sparql.limit_rows)
    )
    started = time.perf_counter()
    try:
        result = evaluate_on(bounded, checked.text, checked.form, dict(bindings or {}), limit)
    except SyntaxError as exc:
        raise syntax_error(exc) from None
    result.seconds = time.perf_counter() - started
    return result


def run_text(
    paths: Paths,
    text: str | None,
    *,
    question: str | None = None,
    params: list[str] | tuple[str, ...] = (),
    limit: int = DEFAULT_LIMIT,
    timeout: float = DEFAULT_TIMEOUT,
) -> QueryResult:
    """What ``kg query`` does: take the query text or a catalogue question, bind ``NAME=VALUE`` parameters
    and run it with :func:`run_query` on the store of *paths*."""
    from kg.backend import remote_store
    from kg.names.kept import kept_entities
    from kg.query.catalogue import get_question, load_catalogue
    from kg.query.params import parse_params
    from kg.store.generations import open_generation

    q = None
    if question is not None:
        if text:
            raise QueryError("Give either a query or --question, not both.")
        q = get_question(load_catalogue(paths.queries), question)
        text = q.sparql
    if not text or not text.strip():
        raise QueryError("No query given. Pass it as an argument, with -f FILE, on standard input, "
                         "or name a catalogue question with --question (see `kg queries`).")
    if paths.endpoint:
        remote = remote_store(paths)
        asked: dict[str, Term] = dict(parse_params(remote, params, q))  # type: ignore[arg-type]
        return run_remote(remote, text, bindings=asked, limit=limit, timeout=timeout)
    bindings: dict[str, Term] = {}
    if params or (q is not None and any(p.required for p in q.params)):  # else the store is not opened here
        generation = current_generation(paths.store)
        store = open_generation(generation)
        # a name that needs the whole index of names (another spelling, or none: the suggestions) reads the one
        # kept beside the generation instead of every name of the store
        bindings = dict(parse_params(store, params, q, whole=lambda: kept_entities(generation, store)))
    return run_query(paths.store, text, bindings=bindings, limit=limit, timeout=timeout)


@dataclass(frozen=True)
class Warmed:
    """One catalogue question asked by :func:`warm_catalogue`: how many rows, in how long, already kept or not,
    or why it could not be answered (``error``; nothing is kept for it then)."""

    name: str
    rows: int
    seconds: float
    was_kept: bool
    error: str = ""


def whole_answer(generation: Path, store: ox.Store, sparql: str, bindings: dict[str, Term]) -> QueryResult:
    """The whole answer (no row limit) of a catalogue question, evaluated in this process on *store* (the open
    *generation*) and kept for it, or read back when kept. For the project's own questions only: there is no
    worker and no time limit here (``kg ask`` filters the whole answer by the places a question names)."""
    checked = check_query(sparql)
    answers = AnswerCache(generation)
    key = answer_key(checked.text, checked.form, bindings, 0)
    kept = answers.get(key)
    if kept is not None:
        return kept
    started = time.perf_counter()
    result = evaluate_on(store, checked.text, checked.form, bindings, 0)
    result.seconds = time.perf_counter() - started
    answers.put(key, result)
    return result


def warm_catalogue(paths: Paths, *, workers: int = 2, timeout: float = DEFAULT_TIMEOUT,
                   generation: Path | None = None) -> list[Warmed]:
    """Ask every catalogue question that needs no parameter, as ``kg query -q NAME`` asks it, so that its answer
    is kept for the live store generation (:mod:`kg.query.kept`): the first ``kg query -q`` or query-page ask after
    a build then reads it back instead of evaluating it. *workers* questions are evaluated at once.

    With *generation* (a generation folder), questions are asked only while it is the live one: a newer build
    stops the warming, as its answers would be kept for a generation nobody reads any more.
    Only the embedded store keeps answers; with an endpoint this raises :class:`~kg.errors.QueryError`.
    """
    from concurrent.futures import ThreadPoolExecutor

    from kg.query.catalogue import load_catalogue

    if paths.endpoint:
        raise QueryError("Answers are kept for the embedded store only; a SPARQL endpoint answers every ask itself.")
    questions = [q for q in load_catalogue(paths.queries).values() if not any(p.required for p in q.params)]

    def ask(q: Any) -> Warmed | None:
        live = current_generation(paths.store)
        if generation is not None and live != generation:
            return None
        # The whole answer (what `kg ask` filters), and the first DEFAULT_LIMIT rows of it (what `kg query -q`
        # shows): the same rows in the same order as a query cut at the limit, for one evaluation.
        try:
            whole = run_query(paths.store, q.sparql, limit=0, timeout=timeout)
        except KGError as exc:
            return Warmed(q.name, 0, 0.0, False, error=str(exc))
        # Kept for *live* only if it is still the live generation, so the one run_query answered on: generations
        # only ever move forward, so a new build in between is seen here.
        if whole.form == "select" and current_generation(paths.store) == live:
            cut = QueryResult(form=whole.form, variables=whole.variables, rows=whole.rows[:DEFAULT_LIMIT],
                              truncated=len(whole.rows) > DEFAULT_LIMIT, limit=DEFAULT_LIMIT)
            AnswerCache(live).put(answer_key(check_query(q.sparql).text, whole.form, {}, DEFAULT_LIMIT), cut)
        return Warmed(q.name, len(whole), whole.seconds, whole.cached)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="kg-warm") as pool:
        return [w for w in pool.map(ask, questions) if w is not None]
