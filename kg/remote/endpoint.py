"""A remote SPARQL 1.1 endpoint behind the same interface as :class:`pyoxigraph.Store`.

:class:`RemoteStore` offers what the rest of ``kg`` uses on an embedded store (``query``, ``len``, iteration
over quads, ``named_graphs``, ``quads_for_pattern``) and what a build needs to write (replace or remove one
named graph). Answers come back as pyoxigraph objects, parsed from the server's SPARQL JSON results, so the
callers do not know which backend they talk to. The SPARQL text it sends is written by :mod:`kg.remote.sparql`,
and the answers are read and checked by :mod:`kg.remote.answers`.

Safety and honesty rules:

* Parameters (``substitutions``) become a ``VALUES`` block of terms serialised by pyoxigraph (N-Triples
  syntax, escaped), inserted at the start of the query's WHERE clause: user strings never become SPARQL.
* ``use_default_graph_as_union`` restricts the dataset to the project's own graphs, so that a server's system
  graphs (Virtuoso has several) and anyone else's data never leak in, and ``GRAPH ?g`` ranges over project
  graphs only. Up to :data:`DATASET_LIMIT` graphs go as the standard ``default-graph-uri`` and
  ``named-graph-uri`` parameters (one each per graph; an empty list is sent as :data:`EMPTY_GRAPH`, never left
  out, since no list means every graph). A longer list, or on Virtuoso any list of more than 20 graphs that
  is longer than the list of the server's other graphs (Virtuoso compiles each listed graph into every
  pattern), is given, on Virtuoso only, the other way round: no parameters, and a
  ``define input:default-graph-exclude <g>`` / ``define input:named-graph-exclude <g>`` pragma before the
  query for every *other* graph of the server. Where neither fits (not Virtuoso, or too many
  other graphs), the query is refused with :class:`~kg.errors.EndpointError`: never a wider dataset. Without
  the union, the default graph is :data:`EMPTY_GRAPH` (or the ones asked for) and the named graphs are the
  project's (or the ones asked for), sent by the same rule.
* Partial answers are errors (:class:`~kg.errors.PartialResult`): HTTP 206, ``X-SQL-State: S1TAT`` (Virtuoso's
  "anytime" timeout), results cut at the server's ``ResultSetMaxRows`` (header ``X-SPARQL-MaxRows``), and a
  graph read with the Graph Store Protocol that has fewer statements than the server counts in it (Virtuoso
  cuts those at ``ResultSetMaxRows`` too, without saying so).
* Writes go to a separate update URL with HTTP Digest (then Basic) credentials: SPARQL Update for
  ``CLEAR``/``DROP``/``MOVE``, the Graph Store Protocol for data. A graph is replaced, never appended to:
  data goes into a staging graph first and is then moved over the target in one ``MOVE``; a load that dies
  half-way leaves the old graph as it was and a retry starts again from an empty staging graph.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from kg.errors import EndpointError, PartialResult, QueryError, QueryTimeout
from kg.namespaces import IRIS
from kg.remote.answers import (
    DatasetPlan,
    RemoteTriples,
    check_dataset_echo,
    check_max_rows,
    check_triple_limit,
    parse_select,
    restore_literal,
)
from kg.remote.sparql import Term, bind_values, check_iri, limit_rows, query_form, valid_iri, with_prologue

#: Names other modules import from here (the reading of answers and the SPARQL text live in their own modules).
__all__ = [
    "ALL_GRAPHS_QUERY", "CHUNK", "DATASET_LIMIT", "EMPTY_GRAPH", "PROJECT_GRAPHS", "PROJECT_GRAPHS_QUERY",
    "DatasetPlan", "GraphName", "RemoteStore", "RemoteTriples", "Subject", "Term", "bind_values", "query_form",
    "restore_literal",
]

# Virtuoso echoes one `X-SPARQL-default-graph` response header per default graph, so a project of more than
# about 95 sources meets http.client's limit of 100 headers ("got more than 100 headers"). Raise it.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 100_000)  # type: ignore[attr-defined]

#: Graphs whose IRI starts with this belong to the project (one per source, plus the ontology).
PROJECT_GRAPHS = IRIS["GRAPH"]
#: A graph no one writes to: the default graph of queries that do not ask for the union.
EMPTY_GRAPH = "urn:x-zhaoshang-kg:empty"
#: Statements sent per Graph Store Protocol request.
CHUNK = 50_000
#: Most graphs named in one dataset list (``default-graph-uri`` or ``named-graph-uri`` parameters, or
#: Virtuoso's exclusion pragmas). Virtuoso 7.2 refuses a list of more than 4,094 graphs (``SP030 ... Too many
#: arguments``, measured) and compiles the list into every graph pattern of every query (about 1 s per 2,000
#: graphs on a small query), so the limit stays well below that.
DATASET_LIMIT = 1_000
#: Dataset lists this short are always sent as protocol parameters (see RemoteStore._exclusion_is_shorter).
_ALWAYS_LISTED = 20
#: Every graph of the server, listed in one query. The FILTER changes nothing but keeps Virtuoso from turning
#: the query into ``DB.DBA.SPARQL_SELECT_KNOWN_GRAPHS()``, which probes every IRI it knows (50 s for 5,000
#: small graphs); with it the graph index is read (0.05 s for 5,000 graphs and a million statements).
ALL_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (BOUND(?g)) }"
#: Only the project's graphs: asked instead when the server cuts the full list at its row limit.
PROJECT_GRAPHS_QUERY = (
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
    f"FILTER (STRSTARTS(STR(?g), {json.dumps(PROJECT_GRAPHS)})) }}"
)

Subject = ox.NamedNode | ox.BlankNode | ox.Triple
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class RemoteStore:
    """A SPARQL 1.1 endpoint (query, update, graph store protocol) used like a ``pyoxigraph.Store``."""

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        graph_store: str | None = None,
        timeout: float = 300.0,
        query_time_limit: float | None = None,
        dataset_limit: int = DATASET_LIMIT,
        row_limit: int | None = None,
    ) -> None:
        for url in (endpoint, update_endpoint, graph_store):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise EndpointError(f"{url!r} is not an http(s) URL. Give the endpoint as http://host:port/sparql.")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or _sibling_url(endpoint, "-auth" if user else "")
        self.graph_store = graph_store or _sibling_url(endpoint, "-graph-crud-auth" if user else "-graph-crud")
        self.read_store = _sibling_url(endpoint, "-graph-crud")
        self.timeout = timeout
        # Asked of the server with each query as the `timeout` parameter (milliseconds), which Virtuoso and
        # Fuseki honour. Virtuoso then answers what it has, flagged `X-SQL-State: S1TAT`: an error here.
        self.query_time_limit = query_time_limit
        # Most graphs named in one dataset list (see DATASET_LIMIT).
        self.dataset_limit = dataset_limit
        # Most rows (or triples) the caller reads of an answer to `query` (`kg query --limit`), which cuts the
        # rest and says so: a SELECT asks the server for one row more (kg.remote.sparql.limit_rows), and an
        # answer the server cut at its row limit above that is given back rather than refused (see _evaluate).
        self.row_limit = row_limit
        # The server's graphs, listed once and kept until the next write: the project's, and the others (None
        # when the server would not list them all).
        self._graphs: list[str] | None = None
        self._others: list[str] | None = None
        # What the server calls itself (its `Server:` header), from the first listing; None until then.
        self._server: str | None = None
        handlers: list[urllib.request.BaseHandler] = []
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        self._basic: str | None = None
        if user is not None:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (self.update_endpoint, self.graph_store):
                manager.add_password(None, url, user, password or "")
            self._digest = urllib.request.HTTPDigestAuthHandler(manager)
            self._basic = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
            handlers += [self._digest, urllib.request.HTTPBasicAuthHandler(manager)]
        self._opener = urllib.request.build_opener(*handlers)
        self._anonymous = urllib.request.build_opener()

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    # ---------------------------------------------------------------- reading

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | RemoteTriples:
        """Evaluate a SELECT, ASK, CONSTRUCT or DESCRIBE query on the endpoint.

        The dataset is the project's graphs (see :meth:`dataset_plan`): with ``use_default_graph_as_union``,
        their union is the default graph and ``GRAPH ?g`` ranges over them; otherwise the default graph is
        *default_graph* (empty when not given) and the named graphs are *named_graphs* (the project's when not
        given).

        With :attr:`row_limit` set, the caller reads at most that many rows or triples (it cuts the answer
        and says so): a SELECT gets a ``LIMIT`` of one more, and an answer the server cut at its own row limit
        above that is given back whole instead of refused.
        """
        return self._evaluate(query, base_iri=base_iri, prefixes=prefixes,
                              use_default_graph_as_union=use_default_graph_as_union, default_graph=default_graph,
                              named_graphs=named_graphs, substitutions=substitutions, row_limit=self.row_limit)

    def _evaluate(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
        row_limit: int | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | RemoteTriples:
        """:meth:`query`, with the caller's *row_limit* (None: every row, as kg's own lookups need)."""
        text = with_prologue(query, prefixes, base_iri)
        if substitutions:
            text = bind_values(text, substitutions)
        form = query_form(text)
        # One row more than the caller reads, so that it can tell a cut answer (it cuts it and says so). A
        # CONSTRUCT's or DESCRIBE's LIMIT counts solutions, not triples: those rely on the acceptance below.
        enough = None if row_limit is None else row_limit + 1
        if enough is not None and form == "SELECT":
            text = limit_rows(text, enough)
        plan = self.dataset_plan(
            use_default_graph_as_union=use_default_graph_as_union, default_graph=default_graph,
            named_graphs=named_graphs,
        )
        if plan.pragmas:
            text = "\n".join([*plan.pragmas, text])
        params: list[tuple[str, str]] = [("query", text)]
        if self.query_time_limit is not None:
            params.append(("timeout", str(max(1, round(self.query_time_limit * 1000)))))
        params += plan.params
        if form in ("SELECT", "ASK"):
            accept = "application/sparql-results+json"
        else:
            accept = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
        body, headers = self._request(self.endpoint, params, accept)
        check_dataset_echo(plan, headers, self.endpoint)
        if form in ("SELECT", "ASK"):
            try:
                result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            except (SyntaxError, ValueError) as exc:
                raise EndpointError(f"{self.endpoint} sent results that do not parse: {exc}") from None
            if isinstance(result, ox.QuerySolutions):
                return check_max_rows(result, headers, self.endpoint, enough=enough)
            return result
        fmt = ox.RdfFormat.TURTLE if "turtle" in headers.get("content-type", "") else ox.RdfFormat.N_TRIPLES
        triples = [ox.Triple(q.subject, q.predicate, restore_literal(q.object)) for q in ox.parse(body, format=fmt)]
        check_triple_limit(headers, self.endpoint, enough=enough if len(triples) >= (enough or 0) else None)
        return RemoteTriples(triples)

    def project_graphs(self, refresh: bool = False) -> list[str]:
        """The IRIs of the project's named graphs on the server (cached until the next write)."""
        if self._graphs is None or refresh:
            self._list_graphs()
        assert self._graphs is not None
        return list(self._graphs)

    def other_graphs(self, refresh: bool = False) -> list[str] | None:
        """The server's graphs that are not the project's (its system graphs, anyone else's data), cached like
        :meth:`project_graphs`; None when the server cut the list at its row limit."""
        if self._graphs is None or refresh:
            self._list_graphs()
        return None if self._others is None else list(self._others)

    @property
    def is_virtuoso(self) -> bool:
        """True when the server says it is Virtuoso (its ``Server:`` header), which allows the exclusion
        pragmas. Asked once per store, with the first listing of the graphs."""
        if self._server is None:
            self._list_graphs()
        return "virtuoso" in (self._server or "").lower()

    def _list_graphs(self) -> None:
        """List every graph of the server in one query and split them into the project's and the others.

        When the server cuts that list at its row limit (a shared server with very many graphs), only the
        project's graphs are asked for, and the others stay unknown (None): they cannot be excluded then.
        """
        accept = "application/sparql-results+json"
        body, headers = self._request(self.endpoint, [("query", ALL_GRAPHS_QUERY)], accept)
        self._server = headers.get("server", "")
        ours: list[str] = []
        others: list[str] | None = []
        if "x-sparql-maxrows" in headers:
            body, headers = self._request(self.endpoint, [("query", PROJECT_GRAPHS_QUERY)], accept)
            solutions = check_max_rows(parse_select(body, self.endpoint), headers, self.endpoint)
            ours = [g.value for g in (s["g"] for s in solutions) if isinstance(g, ox.NamedNode)]
            others = None
        else:
            for s in parse_select(body, self.endpoint):
                g = s["g"]
                if isinstance(g, ox.NamedNode) and g.value.startswith(PROJECT_GRAPHS):
                    ours.append(g.value)
                elif g is not None and others is not None:
                    others.append(g.value if isinstance(g, ox.NamedNode) else str(g))
        self._graphs = sorted(set(ours))
        self._others = None if others is None else sorted(set(others))

    def dataset_plan(
        self,
        *,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None,
    ) -> DatasetPlan:
        """The dataset :meth:`query` sends for these arguments: what is sent, never a wider dataset.

        Each list (default graphs, named graphs) of up to :attr:`dataset_limit` graphs goes as protocol
        parameters; a longer one, on Virtuoso, as exclusion pragmas naming every other graph of the server, as
        listed by :meth:`other_graphs` (cached until the next write through this store: a graph someone else
        creates meanwhile is excluded only once the list is refreshed). Raises :class:`~kg.errors.EndpointError`
        when a list is too long for either way.
        """
        if use_default_graph_as_union:
            defaults = names = self.project_graphs()
        else:
            defaults = _graph_list(default_graph)
            names = [str(g.value) for g in named_graphs] if named_graphs is not None else self.project_graphs()
        params: list[tuple[str, str]] = []
        pragmas: list[str] = []
        for key, pragma, wanted in (
            ("default-graph-uri", "input:default-graph-exclude", defaults),
            ("named-graph-uri", "input:named-graph-exclude", names),
        ):
            if len(wanted) <= self.dataset_limit and not self._exclusion_is_shorter(wanted):
                params += [(key, g) for g in wanted or [EMPTY_GRAPH]]
            else:
                pragmas += [f"define {pragma} <{g}>" for g in self._excluded(wanted)]
        return DatasetPlan(tuple(params), tuple(pragmas))

    def _exclusion_is_shorter(self, wanted: Sequence[str]) -> bool:
        """True on Virtuoso when fewer graphs are left out of *wanted* than it holds: Virtuoso compiles every
        graph of a list into each pattern of the query (about 0.26 s a query at 1,000 graphs), so the shorter
        list is the faster query. Lists of up to :data:`_ALWAYS_LISTED` graphs are sent as they are."""
        if len(wanted) <= _ALWAYS_LISTED or not self.is_virtuoso or self._others is None:
            return False
        return len(self._outside(wanted)) < len(wanted)

    def _outside(self, wanted: Sequence[str]) -> list[str]:
        """The server's listed graphs (the project's and the others) that are not in *wanted*, sorted."""
        keep = set(wanted)
        return sorted(g for g in {*(self._others or []), *(self._graphs or [])} if g not in keep)

    def _excluded(self, wanted: Sequence[str]) -> list[str]:
        """The server's graphs outside *wanted*, to exclude with Virtuoso's pragmas; raises when that cannot
        give exactly *wanted*."""
        what = (
            f"The query's dataset has {len(wanted)} graphs, more than the {self.dataset_limit} kg sends as "
            "default-graph-uri/named-graph-uri parameters (Virtuoso refuses lists of more than 4,094)"
        )
        if not self.is_virtuoso:
            raise EndpointError(
                f"{what}, and {self.endpoint} does not say it is Virtuoso (Server: {self._server or '-'!r}), "
                "the one server on which kg can exclude the other graphs instead. Use a Virtuoso server (behind a "
                "proxy, let its Server header through), or a SPARQL dataset or endpoint that holds only this "
                "project's graphs."
            )
        if self._others is None:
            raise EndpointError(
                f"{what}, and {self.endpoint} holds too many other graphs to list them (its ResultSetMaxRows cut "
                "the list), so they cannot be excluded. Use a dedicated Virtuoso server for the project, or raise "
                "ResultSetMaxRows."
            )
        out = self._outside(wanted)
        if len(out) > self.dataset_limit:
            raise EndpointError(
                f"{what}, and {self.endpoint} holds {len(out)} other graphs, more than the {self.dataset_limit} "
                "it can be told to exclude. Use a dedicated Virtuoso server for the project (one holding no other "
                "data), or move the other data to another server."
            )
        for g in out:
            if not valid_iri(g):
                raise EndpointError(
                    f"{what}, and {self.endpoint} holds a graph named {g!r}, which a SPARQL query cannot name to "
                    "exclude it. Use a dedicated Virtuoso server for the project."
                )
        return out

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """The project's named graphs, like ``Store.named_graphs()``."""
        return iter([ox.NamedNode(g) for g in self.project_graphs()])

    def __len__(self) -> int:
        result = self._evaluate("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, ox.QuerySolutions)
        row = next(iter(result))
        return int(row["n"].value) if row["n"] is not None else 0

    def __iter__(self) -> Iterator[ox.Quad]:
        for g in self.project_graphs():
            yield from self.graph_quads(g)

    def graph_quads(self, graph: str) -> list[ox.Quad]:
        """Every statement of one named graph, fetched whole with the Graph Store Protocol."""
        # Virtuoso cuts a graph it sends at its ResultSetMaxRows and says nothing (no header, no status): the
        # graph is counted with a query too, whose cut it does flag, before and (if short) after the copy, so
        # that a graph growing or shrinking under a concurrent write is not taken for a cut one.
        before = self._graph_size(graph)
        url = self.read_store + "?" + urllib.parse.urlencode({"graph-uri": graph})
        body, headers = self._send(
            self._anonymous, urllib.request.Request(url, headers={"Accept": "application/n-triples"}), "read"
        )
        if headers.get("status") == "404":  # no such graph: it is empty
            return []
        fmt = ox.RdfFormat.TURTLE if "turtle" in headers.get("content-type", "") else ox.RdfFormat.N_TRIPLES
        name = ox.NamedNode(graph)
        quads = [ox.Quad(q.subject, q.predicate, restore_literal(q.object), name) for q in ox.parse(body, format=fmt)]
        if len(quads) < before and len(quads) < (expected := self._graph_size(graph)):
            raise PartialResult(
                f"{self.read_store} sent {len(quads)} of the {expected} statements of graph <{graph}>: the server "
                "cuts what it sends at its row limit. Raise ResultSetMaxRows in the [SPARQL] section of "
                "virtuoso.ini above the size of the largest graph, and restart it."
            )
        return quads

    def _graph_size(self, graph: str) -> int:
        """The number of statements in one named graph, counted by the server."""
        result = self._evaluate("SELECT (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                named_graphs=[ox.NamedNode(graph)])
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            n = row["n"]
            return int(n.value) if isinstance(n, ox.Literal) else 0
        return 0

    def quads_for_pattern(
        self,
        subject: Subject | None,
        predicate: ox.NamedNode | None,
        object: Term | ox.Triple | None,
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern (``None`` matches anything), like ``Store.quads_for_pattern``."""
        if isinstance(graph_name, ox.DefaultGraph):
            return iter([])
        values: dict[ox.Variable, Term] = {}
        for name, term in (("s", subject), ("p", predicate), ("o", object), ("g", graph_name)):
            if isinstance(term, ox.Triple):
                raise QueryError("RDF-star patterns are not supported on a remote endpoint.")
            if term is not None:
                values[ox.Variable(name)] = term
        result = self._evaluate("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions=values)
        assert isinstance(result, ox.QuerySolutions)
        out = []
        for row in result:
            s, p, o, g = row["s"], row["p"], row["o"], row["g"]
            assert isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode)
            assert o is not None and isinstance(g, ox.NamedNode | ox.BlankNode)
            out.append(ox.Quad(s, p, restore_literal(o), g))
        return iter(out)

    # ---------------------------------------------------------------- writing

    def update(self, update: str) -> None:
        """Run a SPARQL Update on the update endpoint (built by ``kg`` itself, never from user text)."""
        self._request(self.update_endpoint, [("update", update)], "application/sparql-results+json, */*;q=0.1",
                      opener=self._opener, what="load")
        self._graphs = None

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad | ox.Triple]) -> int:
        """Make *graph* hold exactly *quads* (their own graph names are ignored); returns the count.

        The data is loaded into a staging graph and then moved over *graph* in one ``MOVE``: readers never
        see a half-loaded graph, and a retry after a failure does not duplicate anything.
        """
        check_iri(graph)
        staging = graph + "#staging"
        lines: list[bytes] = []
        count = 0
        first = True
        for q in quads:
            lines.append(f"{q.subject} {q.predicate} {q.object} .\n".encode())
            count += 1
            if len(lines) >= CHUNK:
                self._put_or_post(staging, b"".join(lines), replace=first)
                lines, first = [], False
        if lines or first:
            self._put_or_post(staging, b"".join(lines), replace=first)
        self.update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>")
        self._graphs = None
        return count

    def remove_graph(self, graph: str) -> None:
        """Drop one named graph (nothing happens when it does not exist)."""
        check_iri(graph)
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def checkpoint(self) -> bool:
        """Ask the server to write its state to disk, where it offers a way; True when it did.

        On Virtuoso this calls ``DB.DBA.KG_CHECKPOINT()`` (see :mod:`kg.remote.virtuoso`) through SPARQL; other
        servers make every update durable themselves, and the call returns False.
        """
        try:
            self._request(self.update_endpoint, [("query", "SELECT (<sql:KG_CHECKPOINT>() AS ?done) WHERE {}")],
                          "application/sparql-results+json", opener=self._opener)
        except EndpointError:
            return False
        return True

    # ---------------------------------------------------------------- HTTP

    def _put_or_post(self, graph: str, data: bytes, *, replace: bool) -> None:
        url = self.graph_store + "?" + urllib.parse.urlencode({"graph-uri": graph})
        req = urllib.request.Request(url, data=data, method="PUT" if replace else "POST",
                                     headers={"Content-Type": "application/n-triples"})
        if replace and not data:
            self.update(f"DROP SILENT GRAPH <{graph}>")
            return
        self._send(self._opener, req, "load")

    def _request(
        self,
        url: str,
        params: list[tuple[str, str]],
        accept: str,
        opener: urllib.request.OpenerDirector | None = None,
        what: str = "query",
    ) -> tuple[bytes, dict[str, str]]:
        data = urllib.parse.urlencode(params).encode("utf-8")
        req = urllib.request.Request(
            url, data=data, headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        )
        return self._send(opener or self._anonymous, req, what)

    def _preauthorize(self, req: urllib.request.Request) -> None:
        """Answer the server's auth challenge before sending a body.

        urllib sends the body first and authenticates on the 401; a server that answers 401 and closes
        before reading a large body breaks that (a broken pipe). So ask for the challenge with a bodiless GET
        and send the real request with its ``Authorization`` header already set.
        """
        probe = urllib.request.Request(req.full_url, method="GET")
        try:
            with self._anonymous.open(probe, timeout=self.timeout) as resp:
                resp.read()
            return
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
            exc.read()
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            return  # the real request reports the problem
        if challenge[:7].lower() == "digest " and self._digest is not None:
            chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[7:]))
            auth = self._digest.get_authorization(req, chal)
            if auth:
                req.add_unredirected_header("Authorization", f"Digest {auth}")
        elif challenge[:6].lower() == "basic " and self._basic is not None:
            req.add_unredirected_header("Authorization", f"Basic {self._basic}")

    def _send(
        self, opener: urllib.request.OpenerDirector, req: urllib.request.Request, what: str
    ) -> tuple[bytes, dict[str, str]]:
        host = urllib.parse.urlsplit(req.full_url)
        where = f"{host.scheme}://{host.netloc}{host.path}"
        if opener is self._opener and self._digest is not None and req.data:
            self._preauthorize(req)
        try:
            with opener.open(req, timeout=self.timeout) as resp:
                headers = {k.lower(): v for k, v in resp.headers.items()}
                body = resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and what == "read":
                return b"", {"status": "404"}
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            if exc.code == 500 and ("SR171" in detail or "S1T00" in detail):
                raise QueryTimeout(
                    f"{where} stopped the query at its time limit ({detail.splitlines()[0]}). Narrow the query, "
                    "or raise the server's MaxQueryExecutionTime."
                ) from None
            if exc.code == 401:
                raise EndpointError(
                    f"{where} refused the credentials (HTTP 401). Check --user/--password "
                    "(KG_USER, KG_PASSWORD) and that the account may write."
                ) from None
            raise EndpointError(f"{where} answered HTTP {exc.code}: {detail or exc.reason}") from None
        except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            hint = (
                " Nothing was marked as loaded: run `kg build` again once the server is back; the graph is "
                "replaced, never appended to."
                if what == "load"
                else " Is the server running? Check --endpoint (KG_ENDPOINT)."
            )
            raise EndpointError(f"Cannot reach the SPARQL endpoint {where}: {reason}.{hint}") from None
        if status == 206 or headers.get("x-sql-state") == "S1TAT":
            raise PartialResult(
                f"{where} returned partial results (HTTP {status}, X-SQL-State {headers.get('x-sql-state', '-')}): "
                "the query hit the server's time limit. Narrow the query or raise MaxQueryExecutionTime."
            )
        return body, headers


def _sibling_url(endpoint: str, suffix: str) -> str:
    """Virtuoso's sibling URLs: ``/sparql`` → ``/sparql-auth``, ``/sparql-graph-crud(-auth)``."""
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    if path.endswith("-auth"):
        path = path[: -len("-auth")]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path + suffix, "", ""))


def _graph_list(default_graph: Any) -> list[str]:
    if default_graph is None:
        return []
    items = default_graph if isinstance(default_graph, list | tuple) else [default_graph]
    return [str(g.value) for g in items if isinstance(g, ox.NamedNode)]
