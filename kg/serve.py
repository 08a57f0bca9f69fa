"""``kg serve``: a read-only SPARQL 1.1 protocol endpoint over the embedded store, with a query page and views.

* ``GET /sparql?query=…`` and ``POST /sparql`` (form ``query=…`` or ``application/sparql-query``) answer
  SELECT and ASK as SPARQL JSON (``application/sparql-results+json``) or CSV (``text/csv``), by ``Accept``
  or ``?format=json|csv``; CONSTRUCT and DESCRIBE as Turtle or N-Triples.
* Every query goes through the same guard, row limit and timeout as ``kg query`` (:mod:`kg.query.guard`,
  :func:`kg.query.runner.run_query`: a worker process killed at the deadline). Updates are refused.
* ``GET /`` is a query page that works offline (inline script and style, no CDN); ``GET /views/`` lists the
  HTML views in ``out/`` and serves them.
* It binds 127.0.0.1 by default and refuses requests whose ``Host`` is not this server (DNS rebinding) and
  cross-origin requests (``Origin`` or ``Sec-Fetch-Site``), so a web page elsewhere cannot use it.
* A threaded server answers many clients at once; at most *workers* queries are evaluated at the same time.
  An answer the store generation already gave is sent back without a worker (:mod:`kg.query.kept`). The others
  are shared fairly (:mod:`kg.query.admission`): catalogue questions may use every worker, other queries never
  the ones kept for them, each client has a bounded share, queues are bounded, and a query that cannot have a
  worker soon is answered ``503`` with ``Retry-After``; past :data:`MAX_CONNECTIONS` open connections a new one
  gets that answer before any thread is started for it. The query workers are kept running between queries
  (:mod:`kg.query.pool`), with the store open and its caches warm; one that runs out of time is killed and
  replaced.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import os
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import (
    AmbiguousEntity,
    InputError,
    KGError,
    QueryError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    UnknownEntity,
)
from kg.namespaces import PREFIXES
from kg.paths import Paths
from kg.query.admission import HEAVY, LIGHT, Admission, Busy, Limits
from kg.query.catalogue import load_catalogue
from kg.query.guard import MAX_QUERY_CHARS, check_query
from kg.query.kept import AnswerCache, answer_key
from kg.query.pool import WorkerPool
from kg.query.results import to_csv, to_json
from kg.query.runner import DEFAULT_LIMIT, DEFAULT_TIMEOUT, QueryResult, run_query
from kg.store.generations import current_generation

#: Largest request body accepted, in bytes.
MAX_BODY = MAX_QUERY_CHARS * 4 + 1024
_VIEW_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.html$")
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")


@dataclass(frozen=True)
class ServeOptions:
    """How the endpoint runs."""

    host: str = "127.0.0.1"
    port: int = 7878
    limit: int = DEFAULT_LIMIT
    timeout: float = DEFAULT_TIMEOUT
    workers: int = max(2, os.cpu_count() or 2)


#: Open connections served at once; past it a new connection is answered 503 without a thread of its own.
MAX_CONNECTIONS = 512
_BUSY_RESPONSE = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  b"Retry-After: 2\r\nConnection: close\r\nContent-Length: 50\r\n\r\n"
                  b"The server is busy: too many connections. Retry.\n\n")


class KGServer(ThreadingHTTPServer):
    """The HTTP server: holds the project paths, the options, the query workers and who may use them."""

    daemon_threads = True
    request_queue_size = 256  # many clients connecting at once must not be refused by a short backlog

    def __init__(self, paths: Paths, options: ServeOptions) -> None:
        self.paths = paths
        self.options = options
        reserved = max(1, options.workers // 2)  # for catalogue questions
        share = max(1, (options.workers - reserved) // 2)  # of the other queries' workers, per client
        self.admission = Admission(Limits(workers=options.workers, reserved=reserved, per_client=share))
        self.pool = WorkerPool(options.workers)  # query workers kept between queries (kg.query.pool)
        self.connections = 0
        self._connections_lock = threading.Lock()
        try:
            catalogue = load_catalogue(paths.queries)
        except QueryError:
            catalogue = {}
        #: The catalogue's questions, as text with spaces collapsed: these go in the light lane.
        self.catalogue_texts = {_normal(q.sparql) for q in catalogue.values()}
        try:
            super().__init__((options.host, options.port), _Handler)
        except BaseException:
            self.pool.close()
            raise

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a thread for the connection, unless :data:`MAX_CONNECTIONS` are open: then answer 503 here."""
        with self._connections_lock:
            full = self.connections >= MAX_CONNECTIONS
            if not full:
                self.connections += 1
        if full:
            with contextlib.suppress(OSError):
                request.sendall(_BUSY_RESPONSE)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self.connections -= 1

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up early is not an error worth a traceback; anything else is reported."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        """The base URL clients use."""
        host, port = str(self.options.host), self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def allowed_hosts(self) -> set[str]:
        """``Host`` header values that name this server: loopback names, and the address it was bound to."""
        port = self.server_address[1]
        host = self.options.host.lower()
        names = {*_LOOPBACK, f"[{host}]" if ":" in host else host}
        return {f"{n}:{port}" for n in names}


def make_server(paths: Paths, options: ServeOptions | None = None) -> KGServer:
    """Create (but do not start) the endpoint over the embedded store at ``paths.store``."""
    if paths.endpoint:
        raise InputError(
            f"kg serve serves the embedded store; {paths.endpoint} is already a SPARQL server. Drop --endpoint."
        )
    current_generation(paths.store)  # a clear error now if there is no store yet
    options = options or ServeOptions()
    if options.limit < 0 or options.timeout <= 0 or options.workers < 1:
        raise InputError("--limit must be 0 or more, --timeout more than 0 and --workers at least 1.")
    try:
        return KGServer(paths, options)
    except OSError as exc:
        raise InputError(f"Cannot listen on {options.host}:{options.port}: {exc.strerror}. Try --port.") from None


class _Handler(BaseHTTPRequestHandler):
    server: KGServer
    protocol_version = "HTTP/1.1"
    server_version = "zhaoshang-kg"

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the terminal shows the URL, not every request

    # ------------------------------------------------------------ routing

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_OPTIONS(self) -> None:
        self._reject(HTTPStatus.METHOD_NOT_ALLOWED, "This endpoint does not answer cross-origin (CORS) requests.")

    def do_PUT(self) -> None:
        self._reject(HTTPStatus.METHOD_NOT_ALLOWED, "This endpoint is read-only: no Graph Store writes.")

    do_DELETE = do_PUT
    do_PATCH = do_PUT

    def _handle(self, method: str) -> None:
        problem = self._foreign()
        if problem:
            self._reject(HTTPStatus.FORBIDDEN, problem)
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/sparql":
            self._sparql(method, url.query)
        elif method == "POST":
            self._reject(HTTPStatus.METHOD_NOT_ALLOWED, "POST goes to /sparql.")
        elif url.path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", _page(self.server).encode("utf-8"),
                       csp=_PAGE_CSP, head=method == "HEAD")
        elif url.path in ("/views", "/views/"):
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", _views_index(self.server.paths).encode("utf-8"),
                       csp=_PAGE_CSP, head=method == "HEAD")
        elif url.path.startswith("/views/"):
            self._view(url.path[len("/views/"):], head=method == "HEAD")
        elif url.path in ("/ask", "/question", "/focus") or url.path.startswith("/profile/"):
            self._reader(url.path, url.query, head=method == "HEAD")
        else:
            self._reject(HTTPStatus.NOT_FOUND, f"Nothing at {url.path}. Try / or /sparql?query=…")

    def _foreign(self) -> str:
        """Why this request must be refused (another site's page, a rebound host name), or ''."""
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.allowed_hosts():
            return f"Host {host!r} is not this server; use {self.server.url}."
        origin = self.headers.get("Origin")
        own = {f"http://{h}" for h in self.server.allowed_hosts()}
        if origin is not None and origin.rstrip("/").lower() not in own:
            return "Cross-origin requests are refused."
        if (self.headers.get("Sec-Fetch-Site") or "").lower() == "cross-site":
            return "Cross-site requests are refused."
        return ""

    # ------------------------------------------------------------ SPARQL

    def _sparql(self, method: str, query_string: str) -> None:
        params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._reject(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Request body over {MAX_BODY} bytes.")
                return
            body = self.rfile.read(length).decode("utf-8", "replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-query":
                params.setdefault("query", []).append(body)
            elif ctype == "application/x-www-form-urlencoded":
                for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-update":
                self._reject(HTTPStatus.FORBIDDEN, "This endpoint is read-only: updates are refused.")
                return
            else:
                self._reject(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                             "POST a form (query=…) or application/sparql-query.")
                return
        if "update" in params:
            self._reject(HTTPStatus.FORBIDDEN, "This endpoint is read-only: updates are refused.")
            return
        if "default-graph-uri" in params or "named-graph-uri" in params:
            self._reject(HTTPStatus.BAD_REQUEST,
                         "default-graph-uri and named-graph-uri are not supported: every query sees the union "
                         "of the store's graphs; use GRAPH in the query.")
            return
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._reject(HTTPStatus.BAD_REQUEST, "Give exactly one query parameter.")
            return
        fmt = _choose_format(params.get("format", [""])[0], self.headers.get("Accept") or "")
        if fmt is None:
            self._reject(HTTPStatus.NOT_ACCEPTABLE, "Results come as JSON, CSV, Turtle or N-Triples.")
            return
        opts = self.server.options
        store = self.server.paths.store
        try:
            # an answer this generation already gave needs no worker: it never waits behind other queries
            result = _kept_answer(store, queries[0], opts.limit)
            if result is None:
                lane = LIGHT if _normal(queries[0]) in self.server.catalogue_texts else HEAVY
                with self.server.admission.admit(lane, self.client_address[0]):
                    result = run_query(store, queries[0], limit=opts.limit, timeout=opts.timeout,
                                       pool=self.server.pool)
        except Busy as exc:
            self._reject(HTTPStatus.SERVICE_UNAVAILABLE, str(exc), extra={"Retry-After": str(exc.retry_after)})
            return
        except (QueryRefused, QuerySyntaxError) as exc:
            self._reject(HTTPStatus.BAD_REQUEST, str(exc))
            return
        except QueryTimeout as exc:
            self._reject(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
            return
        except StoreError as exc:
            self._reject(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
            return
        except QueryError as exc:
            self._reject(HTTPStatus.BAD_REQUEST, str(exc))
            return
        ctype, data = _serialise(result, fmt)
        extra = {"X-KG-Truncated": f"true; limit={result.limit}"} if result.truncated else {}
        if result.cached:
            extra["X-KG-Cached"] = "true"  # an answer this generation of the store already gave (kg.query.kept)
        self._send(HTTPStatus.OK, ctype, data, head=method == "HEAD", extra=extra)

    # ------------------------------------------------------------ views

    def _view(self, name: str, *, head: bool) -> None:
        name = urllib.parse.unquote(name)
        folder = self.server.paths.views.resolve()
        target = (folder / name).resolve()
        if not _VIEW_NAME.match(name) or target.parent != folder or not target.is_file():
            self._reject(HTTPStatus.NOT_FOUND, f"No view {name!r}; see /views/ (run `kg viz` or `kg map` first).")
            return
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", target.read_bytes(), head=head, csp=_VIEW_CSP)

    # ------------------------------------------------------------ for readers: ask, questions, pages on request

    def _reader(self, path: str, query_string: str, *, head: bool) -> None:
        """The ask box's answers, catalogue questions with parameters (JSON or CSV), profiles and focused views
        (:mod:`kg.views.served`)."""
        from kg.views import served

        params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
        fmt = params.get("format", ["json"])[0]
        if fmt not in ("json", "csv"):
            self._reject(HTTPStatus.BAD_REQUEST, "format is json or csv.")
            return
        opts = self.server.options
        try:
            if path == "/ask":
                # a composed question may be as heavy as any query: the heavy lane, capped per client
                with self.server.admission.admit(HEAVY, self.client_address[0]):
                    ctype, data = served.ask_answer(self.server.paths, params.get("q", [""])[0], fmt, opts.limit)
                extra = {"Content-Disposition": 'attachment; filename="answer.csv"'} if fmt == "csv" else {}
                self._send(HTTPStatus.OK, ctype, data, head=head, extra=extra)
            elif path == "/question":  # a catalogue question: the lane kept for them
                with self.server.admission.admit(LIGHT, self.client_address[0]):
                    result = served.run_question(self.server.paths, params.get("name", [""])[0],
                                                 params.get("param", []), opts.limit, opts.timeout)
                ctype, data = _serialise(result, fmt)
                name = re.sub(r"[^A-Za-z0-9_-]", "", params.get("name", [""])[0])[:60] or "result"
                extra = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'} if "download" in params else {}
                if result.truncated:
                    extra["X-KG-Truncated"] = f"true; limit={result.limit}"
                self._send(HTTPStatus.OK, ctype, data, head=head, extra=extra)
            elif path == "/focus":
                with self.server.admission.admit(HEAVY, self.client_address[0]):
                    page = served.focus_html(self.server.paths, params.get("entity", [""])[0])
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"), head=head, csp=_VIEW_CSP)
            else:
                region = urllib.parse.unquote(path[len("/profile/"):])
                with self.server.admission.admit(HEAVY, self.client_address[0]):
                    page = served.profile_html(self.server.paths, region)
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"), head=head, csp=_VIEW_CSP)
        except Busy as exc:
            self._reject(HTTPStatus.SERVICE_UNAVAILABLE, str(exc), extra={"Retry-After": str(exc.retry_after)})
        except (UnknownEntity, AmbiguousEntity) as exc:
            self._reject(HTTPStatus.NOT_FOUND, str(exc))
        except QueryTimeout as exc:
            self._reject(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
        except KGError as exc:
            self._reject(HTTPStatus.BAD_REQUEST, str(exc))

    # ------------------------------------------------------------ responses

    def _reject(self, status: HTTPStatus, message: str, extra: dict[str, str] | None = None) -> None:
        # The connection is closed after an error, so an unread request body does no harm.
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"), close=True, extra=extra)

    def _send(
        self,
        status: HTTPStatus,
        ctype: str,
        data: bytes,
        *,
        head: bool = False,
        csp: str = "default-src 'none'; sandbox",
        extra: dict[str, str] | None = None,
        close: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")
        if ctype.startswith("text/html"):
            self.send_header("Content-Security-Policy", csp)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head:
            self.wfile.write(data)


def _normal(sparql: str) -> str:
    """A query's text with runs of white space made one space: how it is matched against the catalogue."""
    return " ".join(sparql.split())


def _kept_answer(store: Path, sparql: str, limit: int) -> QueryResult | None:
    """The answer the live generation already gave to *sparql* (checked by the guard first), or None."""
    started = time.perf_counter()
    checked = check_query(sparql)
    kept = AnswerCache(current_generation(store)).get(answer_key(checked.text, checked.form, {}, limit))
    if kept is not None:
        kept.seconds = time.perf_counter() - started
    return kept


def _choose_format(explicit: str, accept: str) -> str | None:
    """json, csv, ttl or nt, from ``?format=`` or the ``Accept`` header (JSON when anything goes)."""
    names = {"json": "json", "csv": "csv", "ttl": "ttl", "turtle": "ttl", "nt": "nt", "ntriples": "nt"}
    if explicit:
        return names.get(explicit.lower())
    media = {
        "application/sparql-results+json": "json", "application/json": "json", "text/csv": "csv",
        "text/turtle": "ttl", "application/n-triples": "nt", "*/*": "json", "": "json",
    }
    ranked = []
    for i, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in pieces[1:]:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if pieces[0].lower() in media and q > 0:
            ranked.append((-q, i, media[pieces[0].lower()]))
    if not accept.strip():
        return "json"
    return sorted(ranked)[0][2] if ranked else None


def _serialise(result: QueryResult, fmt: str) -> tuple[str, bytes]:
    if result.form in ("construct", "describe"):
        if fmt == "nt":
            return "application/n-triples", ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES) or b""
        data = ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
        return "text/turtle; charset=utf-8", data
    if fmt == "csv":
        return "text/csv; charset=utf-8", to_csv(result).encode("utf-8")
    return "application/sparql-results+json", json.dumps(to_json(result), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------------------- the query page

_SCRIPT = r"""
const D = JSON.parse(document.getElementById('examples').textContent);
const pick = document.getElementById('pick'), box = document.getElementById('q');
const fields = document.getElementById('fields');
const out = document.getElementById('out'), note = document.getElementById('note'), dl = document.getElementById('dl');
const askBox = document.getElementById('ask'), askOut = document.getElementById('askout');
let chosen = null;
for (const q of D.questions) {
  const o = document.createElement('option'); o.value = q.name;
  o.textContent = q.name + ' — ' + q.title + (q.params.length ? ' (' + q.params.map(p => p.name).join(', ') + ')' : '');
  pick.appendChild(o);
}
pick.addEventListener('change', () => {
  chosen = D.questions.find(x => x.name === pick.value) || null;
  fields.replaceChildren();
  if (!chosen) return;
  box.value = chosen.sparql;
  for (const p of chosen.params) {
    const label = document.createElement('label'), input = document.createElement('input');
    label.textContent = p.name + (p.required ? ' *' : '') + ' ';
    input.name = p.name; input.placeholder = p.description || p.kind; input.dataset.param = p.name;
    label.appendChild(input); fields.appendChild(label);
  }
});
box.addEventListener('input', () => {
  if (chosen && box.value !== chosen.sparql) { chosen = null; fields.replaceChildren(); }
});
function link(text, href) { const a = document.createElement('a'); a.textContent = text; a.href = href; return a; }
function cell(td, t) {
  if (!t) return;
  if (t.type === 'uri') {
    td.appendChild(document.createTextNode(t.value + ' '));
    td.appendChild(link('[图]', 'focus?entity=' + encodeURIComponent(t.value)));
    if (t.value in D.regions) {
      td.appendChild(document.createTextNode(' '));
      td.appendChild(link('[画像]', 'profile/' + encodeURIComponent(t.value)));
    }
    return;
  }
  td.textContent = t.type === 'literal' && t['xml:lang'] ? t.value + ' @' + t['xml:lang'] : t.value;
}
function table(data, into) {
  const vars = data.head.vars, rows = data.results.bindings;
  const t = document.createElement('table'), head = t.insertRow();
  for (const v of vars) { const th = document.createElement('th'); th.textContent = v; head.appendChild(th); }
  for (const b of rows) { const tr = t.insertRow(); for (const v of vars) { cell(tr.insertCell(), b[v]); } }
  into.appendChild(t);
  return rows.length;
}
function downloads(base) {
  dl.replaceChildren(document.createTextNode('Download: '));
  for (const f of ['csv', 'json']) {
    const a = link(f.toUpperCase(), base + '&format=' + f + '&download=1');
    a.setAttribute('download', ''); a.dataset.format = f;
    dl.appendChild(a); dl.appendChild(document.createTextNode(' '));
  }
}
async function run(ev) {
  ev.preventDefault(); out.replaceChildren(); dl.replaceChildren(); note.textContent = 'Running…';
  const t0 = performance.now();
  let r, base;
  if (chosen) {
    const qs = new URLSearchParams({name: chosen.name});
    for (const input of fields.querySelectorAll('input')) {
      if (input.value.trim()) qs.append('param', input.name + '=' + input.value.trim());
    }
    base = 'question?' + qs.toString();
    r = await fetch(base + '&format=json');
  } else {
    base = 'sparql?' + new URLSearchParams({query: box.value}).toString();
    r = await fetch('sparql', {method: 'POST', body: new URLSearchParams({query: box.value}),
      headers: {'Accept': 'application/sparql-results+json, text/turtle;q=0.9'}});
  }
  const ms = Math.round(performance.now() - t0);
  if (!r.ok) { note.textContent = 'Error ' + r.status + ': ' + await r.text(); return; }
  const ct = r.headers.get('Content-Type') || '';
  if (!ct.includes('json')) { const pre = document.createElement('pre'); pre.textContent = await r.text();
    out.appendChild(pre); note.textContent = ms + ' ms'; return; }
  const data = await r.json();
  if ('boolean' in data) { note.textContent = 'Answer: ' + data.boolean + ' (' + ms + ' ms)'; return; }
  const n = table(data, out);
  downloads(base);
  const cut = r.headers.get('X-KG-Truncated');
  note.textContent = n + ' rows, ' + ms + ' ms' + (cut ? ' — cut at the row limit (' + cut + ')' : '');
}
async function ask(ev) {
  ev.preventDefault(); askOut.replaceChildren();
  const q = askBox.value.trim(); if (!q) return;
  const r = await fetch('ask?' + new URLSearchParams({q: q}).toString());
  if (!r.ok) { askOut.textContent = 'Error ' + r.status + ': ' + await r.text(); return; }
  const a = await r.json();
  const pre = document.createElement('pre'); pre.textContent = a.text; askOut.appendChild(pre);
  if (a.answer) {
    table(a.answer, askOut);
    const p = document.createElement('p'); p.id = 'askdl'; p.appendChild(document.createTextNode('Download: '));
    const base = 'ask?' + new URLSearchParams({q: q}).toString();
    for (const f of ['csv', 'json']) {
      const l = link(f.toUpperCase(), base + '&format=' + f); l.setAttribute('download', ''); l.dataset.format = f;
      p.appendChild(l); p.appendChild(document.createTextNode(' '));
    }
    askOut.appendChild(p);
  }
}
document.getElementById('form').addEventListener('submit', run);
document.getElementById('askform').addEventListener('submit', ask);
"""

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:1.5em auto;max-width:72em;padding:0 1em;color:#222}
textarea{width:100%;height:16em;font:13px ui-monospace,monospace}
table{border-collapse:collapse;margin-top:1em;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;
vertical-align:top;text-align:left}th{background:#f3f3f3}#note{color:#555;margin-top:.5em;white-space:pre-wrap}
select{max-width:100%}#askform input{width:70%;font:inherit}#fields label{display:inline-block;margin:.3em 1em .3em 0}
.cols{display:flex;gap:2em;flex-wrap:wrap}.cols>section{flex:1 1 30em;min-width:0}pre{white-space:pre-wrap}
"""


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


#: Views are self-contained pages: their inline scripts run in a sandbox (an opaque origin: no access to /sparql).
_VIEW_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; sandbox allow-scripts"
)
_PAGE_CSP = (
    f"default-src 'none'; script-src {_sha(_SCRIPT)}; style-src {_sha(_STYLE)}; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _page(server: KGServer) -> str:
    from kg.views.served import catalogue_entries, regions_for_page

    try:
        questions = catalogue_entries(server.paths)
    except QueryError:
        questions = []
    data = json.dumps({"questions": questions, "regions": regions_for_page(server.paths)}, ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    default = "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) LIMIT 20"
    opts = server.options
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>zhaoshang-kg SPARQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>
<body><h1>zhaoshang-kg · SPARQL</h1>
<p>Read-only endpoint at <code>{html.escape(server.url)}/sparql</code> (SPARQL 1.1 protocol; JSON or CSV).
Prefixes {html.escape(", ".join(sorted(PREFIXES)))} are predeclared. At most {opts.limit or "all"} rows,
{opts.timeout:g} s per query. <a href="views/">HTML views</a> · region profiles at <code>profile/NAME</code></p>
<div class="cols"><section><h2>问 · Ask</h2>
<form id="askform"><input id="ask" maxlength="500" placeholder="哪些商会把哪些地方联系在一起 / projects in Huaihua">
<button type="submit">Ask</button></form><div id="askout"></div></section>
<section><h2>SPARQL</h2>
<form id="form"><select id="pick"><option value="">Catalogue questions…</option></select><div id="fields"></div>
<textarea id="q" spellcheck="false">{html.escape(default)}</textarea>
<button type="submit">Run</button></form><div id="note"></div><p id="dl"></p><div id="out"></div></section></div>
<script id="examples" type="application/json">{data}</script>
<script>{_SCRIPT}</script></body></html>
"""


def _views_index(paths: Paths) -> str:
    folder = paths.views
    names = sorted(p.name for p in folder.glob("*.html") if _VIEW_NAME.match(p.name)) if folder.is_dir() else []
    items = "".join(f'<li><a href="{html.escape(urllib.parse.quote(n))}">{html.escape(n)}</a></li>' for n in names)
    body = f"<ul>{items}</ul>" if names else "<p>No views yet: run <code>kg viz</code> or <code>kg map</code>.</p>"
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Views</title><style>{_STYLE}</style></head>'
        f'<body><h1>Views</h1>{body}<p><a href="../">Query page</a></p></body></html>'
    )


def serve(paths: Paths, options: ServeOptions | None = None) -> None:
    """Run the endpoint until interrupted."""
    server = make_server(paths, options)
    try:
        server.serve_forever()
    finally:
        server.server_close()
