"""Evaluate a query on an open store and keep at most a limit of its rows: the answer every path returns.

:func:`evaluate_on` is the whole evaluation, on the embedded store (in the query worker, :mod:`kg.query.worker`,
or for the project's own questions in process) or on a remote endpoint (:class:`kg.remote.endpoint.RemoteStore`).
It imports only pyoxigraph and the project's prefixes, so that the worker starts in a few tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.namespaces import PREFIXES

#: Rows (or triples) returned when no limit is given.
DEFAULT_LIMIT = 1000

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class QueryResult:
    """What a query returned, cut to a limit.

    ``form`` is ``select``, ``ask``, ``construct`` or ``describe``. SELECT fills ``variables`` and ``rows``;
    ASK fills ``boolean``; CONSTRUCT and DESCRIBE fill ``triples``. ``truncated`` is true when more rows (or
    triples) existed than ``limit``.
    """

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    limit: int = DEFAULT_LIMIT
    seconds: float = 0.0
    #: True when the answer was read from the answers kept for this store generation (:mod:`kg.query.kept`).
    cached: bool = False

    def __len__(self) -> int:
        return len(self.triples) if self.form in ("construct", "describe") else len(self.rows)

    def to_pandas(self, decimal: bool = True) -> Any:
        """The result as a pandas DataFrame with typed columns (:mod:`kg.query.frames`): amounts as Decimal,
        or float when *decimal* is false; dates as dates; IRIs and names as text. ASK gives one ``boolean``
        column; CONSTRUCT and DESCRIBE give subject, predicate and object. Needs the ``analysis`` extra."""
        from kg.query import frames  # pandas is imported only here: a query worker never pays for it

        if self.form == "ask":
            return frames.pandas().DataFrame({"boolean": [bool(self.boolean)]})
        if self.form in ("construct", "describe"):
            return frames.graph_frame(self.triples)
        return frames.frame(self.variables, self.rows, decimal=decimal)


def evaluate_on(store: Any, sparql: str, form: str, bindings: dict[str, Term], limit: int) -> QueryResult:
    """Evaluate on an open store (embedded or remote) and keep at most *limit* rows or triples.

    No guard and no time limit here: :func:`run_query` and :func:`run_remote` apply those first. Rows are read
    lazily, so a result cut at *limit* costs only the rows kept (and what the engine must do before the first).
    """
    answer = store.query(
        sparql,
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in bindings.items()},
    )
    cap = limit if limit > 0 else None
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(form="ask", boolean=bool(answer), limit=limit)
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows: list[dict[str, Term | None]] = []
        truncated = False
        for solution in answer:
            if cap is not None and len(rows) >= cap:
                truncated = True
                break
            rows.append({name: solution[name] for name in variables})
        return QueryResult(form="select", variables=variables, rows=rows, truncated=truncated, limit=limit)
    triples: list[ox.Triple] = []
    truncated = False
    for triple in answer:
        if cap is not None and len(triples) >= cap:
            truncated = True
            break
        triples.append(triple)
    kind = "describe" if form == "describe" else "construct"
    return QueryResult(form=kind, triples=triples, truncated=truncated, limit=limit)
