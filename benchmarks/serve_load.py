"""``kg serve`` under load on loopback: how long catalogue questions wait when some clients send runaway queries.

Two phases against one ``kg serve`` process, in the same run:

* ``baseline``: every client asks catalogue questions (those without parameters, as the query page does);
* ``mix``: the same, but a share of the clients (5% by default) send runaway queries instead, each of which
  would run until the server's time limit.

Each client is a thread with its own keep-alive connection that asks, waits for the answer, thinks for a moment
(``--think``) and asks again, for ``--seconds``. The table gives the catalogue questions' latency (p50, p95, p99,
max), how many were answered 503 (busy), and what happened to the runaway queries. Everything is bounded: the
phases last ``--seconds`` each, every request has a client-side timeout, and the server is stopped at the end.

    python benchmarks/serve_load.py                      # 10k statements, 100 clients, 30 s per phase
    python benchmarks/serve_load.py --clients 20 --seconds 5 --triples 2k --json out.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synth import generate, parse_size  # noqa: E402
from kg.backend import build  # noqa: E402
from kg.paths import make_paths  # noqa: E402
from kg.query.catalogue import load_catalogue  # noqa: E402
from kg.query.runner import warm_catalogue  # noqa: E402

#: A query that runs until the server's time limit on any store of a few thousand statements: a triple cross
#: product, counted, so that no row limit cuts it short.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class Tally:
    """What the clients of one phase saw."""

    catalogue_ms: list[float] = field(default_factory=list)
    catalogue_busy: int = 0
    catalogue_errors: int = 0
    runaway_sent: int = 0
    runaway_busy: int = 0
    runaway_timeouts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _connect(port: int, timeout: float) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def _ask(conn: http.client.HTTPConnection, query: str) -> tuple[int, dict[str, str], bytes]:
    conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                 headers={"Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    body = resp.read()
    if resp.getheader("Connection", "").lower() == "close":
        conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def _client(port: int, until: float, questions: list[str], runaway: bool, think: float, tally: Tally,
            seed: int, request_timeout: float) -> None:
    rng = random.Random(seed)
    conn = _connect(port, request_timeout)
    while time.monotonic() < until:
        query = RUNAWAY if runaway else rng.choice(questions)
        started = time.perf_counter()
        try:
            status, headers, _ = _ask(conn, query)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = _connect(port, request_timeout)
            with tally.lock:
                if runaway:
                    tally.runaway_sent += 1
                else:
                    tally.catalogue_errors += 1
            continue
        ms = (time.perf_counter() - started) * 1000
        pause = think * (0.5 + rng.random())
        with tally.lock:
            if runaway:
                tally.runaway_sent += 1
                if status == 503 and "retry-after" in headers and b"ran longer" not in _:
                    tally.runaway_busy += 1
                    pause = max(pause, float(headers["retry-after"]))
                elif status == 503:
                    tally.runaway_timeouts += 1
            elif status == 200:
                tally.catalogue_ms.append(ms)
            elif status == 503:
                tally.catalogue_busy += 1
                pause = max(pause, float(headers.get("retry-after", "1")))
            else:
                tally.catalogue_errors += 1
        time.sleep(min(pause, max(0.0, until - time.monotonic())))
    conn.close()


def run_phase(port: int, questions: list[str], clients: int, runaway_share: float, seconds: float, think: float,
              request_timeout: float) -> Tally:
    """*clients* threads for *seconds*; the first ``clients * runaway_share`` send the runaway query."""
    tally = Tally()
    runaways = round(clients * runaway_share)
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(port, until, questions, i < runaways, think, tally, i,
                                                      request_timeout), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + request_timeout + 5)
    return tally


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(tally: Tally) -> dict[str, Any]:
    """The figures of one phase."""
    ms = tally.catalogue_ms
    return {
        "catalogue_answered": len(ms), "catalogue_busy_503": tally.catalogue_busy,
        "catalogue_errors": tally.catalogue_errors,
        "p50_ms": round(statistics.median(ms), 1) if ms else None, "p95_ms": round(_pct(ms, 0.95), 1),
        "p99_ms": round(_pct(ms, 0.99), 1), "max_ms": round(max(ms), 1) if ms else None,
        "runaway_sent": tally.runaway_sent, "runaway_busy_503": tally.runaway_busy,
        "runaway_timed_out": tally.runaway_timeouts,
    }


def start_server(project: Path, store: Path, workers: int, timeout: float) -> tuple[subprocess.Popen[str], int]:
    """``kg serve`` on a free loopback port; its process and port."""
    env = {**os.environ, "KG_WARM": "off"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "--project", str(project), "--store", str(store), "serve", "--port", "0",
         "--workers", str(workers), "--timeout", str(timeout)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "Serving" not in line:
        proc.kill()
        raise SystemExit(f"kg serve did not start: {line}{proc.stdout.read()}")
    port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
    return proc, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", default="10k", help="Size of the generated corpus (10k, 100k…).")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--runaway-share", type=float, default=0.05, help="Share of clients sending runaway queries.")
    parser.add_argument("--seconds", type=float, default=30.0, help="Length of each phase.")
    parser.add_argument("--think", type=float, default=0.5, help="Mean pause of a client between its requests (s).")
    parser.add_argument("--workers", type=int, default=2, help="kg serve --workers.")
    parser.add_argument("--timeout", type=float, default=30.0, help="kg serve --timeout (s).")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kg-serve-load-") as tmp:
        project = Path(tmp) / "project"
        generate(project, parse_size(args.triples), seed=11)
        if not (project / "queries").is_dir():
            shutil.copytree(ROOT / "queries", project / "queries")
        paths = make_paths(project, project / "store")
        build(paths)
        warm_catalogue(paths)  # what `kg build` does in the background: the questions' answers are kept
        questions = [q.sparql for q in load_catalogue(paths.queries).values() if not any(p.required for p in q.params)]
        proc, port = start_server(project, paths.store, args.workers, args.timeout)
        try:
            request_timeout = args.timeout + 15
            results = {}
            for phase, share in (("baseline", 0.0), ("mix", args.runaway_share)):
                tally = run_phase(port, questions, args.clients, share, args.seconds, args.think, request_timeout)
                results[phase] = summary(tally)
        finally:
            proc.kill()
            proc.wait()
    cols = ["phase", "answered", "p50 ms", "p95 ms", "p99 ms", "max ms", "503", "errors", "runaway sent/503/timeout"]
    print(f"kg serve, {args.clients} loopback clients, {args.seconds:g} s per phase, think {args.think:g} s, "
          f"--workers {args.workers} --timeout {args.timeout:g}, {args.triples} statements; catalogue questions:")
    print("  ".join(f"{c:>12}" for c in cols))
    for phase, r in results.items():
        row = [phase, r["catalogue_answered"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["max_ms"],
               r["catalogue_busy_503"], r["catalogue_errors"],
               f"{r['runaway_sent']}/{r['runaway_busy_503']}/{r['runaway_timed_out']}"]
        print("  ".join(f"{v!s:>12}" for v in row))
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "phases": results},
                                        indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
