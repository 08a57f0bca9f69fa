"""Keep the catalogue's answers for a new store generation in the background, right after ``kg build``.

At a million statements the catalogue's lists take the engine hundreds of milliseconds each, whatever the plan
(each of thousands of rows reads a dozen terms from RocksDB), and a ``kg query`` that evaluates one starts a
worker process as well. The answers of a generation never change (:mod:`kg.query.kept`), so they can be computed
once, as soon as the generation exists, like a materialized view that is refreshed after each load:
:func:`start_warming` starts a detached process (``python -m kg.query.warmer``) that asks every catalogue question
without parameters with :func:`kg.query.runner.warm_catalogue` and keeps the answers (whole, for ``kg ask``, and
cut at the default row limit, for ``kg query -q``), then the index of names ``kg ask`` reads
(:mod:`kg.names.kept`); the build itself returns at once. Asked after that, a question reads its kept answer in
milliseconds.

The warmer runs at a lower CPU priority, asks nothing once a newer build has replaced its generation, writes
only through :class:`~kg.query.kept.AnswerCache` (temporary file, then rename) and so never leaves a half answer:
stopping or killing it at any moment costs nothing but the answers it had not yet kept. Its progress is in
``<store>/gen-<stamp>.answers/warming.json`` (:func:`warming_status`), removed with the generation.

``kg build --warm``/``--no-warm`` (or ``KG_WARM``, read by :mod:`kg.cli` and passed to :func:`warm_mode`)
chooses: ``background`` (the default), ``wait`` (keep the answers before returning), ``off``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from kg.errors import KGError, StoreError
from kg.paths import Paths, make_paths
from kg.query.kept import answers_folder, write_beside
from kg.store.generations import current_generation

#: The modes of ``KG_WARM`` and ``kg build --warm/--no-warm``.
MODES = ("background", "wait", "off")
STATUS = "warming.json"
#: A warmer that has not finished after this long stops (seconds); its kept answers stay.
MAX_SECONDS = 1800.0
#: Started by :func:`start_warming` to start the warmer and exit at once, so that the warmer is nobody's child
#: (the system reaps it; the caller never waits for it or leaves a zombie); prints the warmer's PID.
_LAUNCHER = ("import subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True); "
             "print(p.pid)")


def warm_mode(given: str | None = None, *, setting: str = "KG_WARM") -> str:
    """The warming mode *given* (any case), or ``background`` when none is; *setting* names where it came from
    in the error. The library reads no environment variable: the command line reads ``KG_WARM`` and passes it."""
    mode = (given or "background").strip().lower()
    if mode not in MODES:
        raise KGError(f"{setting}={mode!r} is not a warming mode; use one of {', '.join(MODES)}.")
    return mode


def status_path(generation: Path) -> Path:
    """Where the warmer of *generation* writes its progress."""
    return answers_folder(generation) / STATUS


def warming_status(store: Path) -> dict[str, Any] | None:
    """The warmer's progress for the live generation of *store*, or None when none was started.

    ``state`` is ``running``, ``done``, ``stopped`` (a newer build replaced the generation, or it ran out of
    time) or ``failed`` (``error`` says why); ``questions`` maps each question asked to its rows and seconds;
    ``entities_seconds`` is how long the index of names took (:mod:`kg.names.kept`).
    A warmer reported ``running`` whose process is gone is reported ``failed``.
    """
    try:
        status: dict[str, Any] = json.loads(status_path(current_generation(store)).read_text(encoding="utf-8"))
    except (OSError, ValueError, KGError):
        return None
    if status.get("state") == "running" and not alive(int(status.get("pid", 0))):
        status["state"] = "failed"
        status.setdefault("error", "the warming process ended without saying why")
    return status


def start_warming(paths: Paths) -> int | None:
    """Start keeping the answers of the live generation of *paths* in a detached process; its PID.

    None for an endpoint (its answers are never kept) or a project without a catalogue. The process outlives
    the caller; it holds no lock, so a build can start at any time (and makes it stop).
    """
    if paths.endpoint or not paths.queries.is_dir():
        return None
    generation = current_generation(paths.store)
    cmd = [sys.executable, "-m", "kg.query.warmer", "--project", str(paths.project), "--store", str(paths.store),
           "--generation", generation.name]
    launched = subprocess.run(  # our own module, no shell
        [sys.executable, "-I", "-S", "-c", _LAUNCHER, *cmd], capture_output=True, text=True, check=False,
        cwd=str(paths.store), timeout=60,
    )
    if launched.returncode != 0 or not launched.stdout.strip().isdigit():
        raise StoreError(f"Could not start the process that keeps the catalogue's answers: "
                         f"{launched.stderr.strip()[-300:] or launched.returncode}. Build with --no-warm.")
    pid = int(launched.stdout)
    _write_status(generation, {"state": "running", "pid": pid, "started": time.time(), "questions": {}})
    return pid


def wait_for_warming(store: Path, timeout: float = MAX_SECONDS, poll: float = 0.05) -> dict[str, Any] | None:
    """Wait until the warmer of the live generation of *store* is no longer running; its last status."""
    deadline = time.monotonic() + timeout
    while True:
        status = warming_status(store)
        if status is None or status.get("state") != "running" or time.monotonic() > deadline:
            return status
        time.sleep(poll)


def alive(pid: int) -> bool:
    """Whether process *pid* is running: a process that exited but that nobody reaped (a zombie; a
    container's init may never reap) counts as gone, unlike ``os.kill(pid, 0)`` alone."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # an exited process that nobody reaped yet (a container's init may never reap) is a zombie: gone
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _write_status(generation: Path, status: dict[str, Any]) -> None:
    """Write the status beside *generation*'s answers (temporary file, then rename); nothing if it is gone."""
    write_beside(generation, STATUS, json.dumps(status, ensure_ascii=False).encode("utf-8"))


def _run(project: Path, store: Path, generation_name: str) -> int:
    """The warmer process: ask the catalogue for *generation_name* while it is live."""
    from kg.query.runner import warm_catalogue

    with contextlib.suppress(OSError):
        os.nice(10)  # the user's own commands come first
    paths = make_paths(project, store)
    generation = store / generation_name
    status: dict[str, Any] = {"state": "running", "pid": os.getpid(), "started": time.time(), "questions": {}}
    _write_status(generation, status)

    def out_of_time() -> None:
        status.update(state="stopped", error=f"ran longer than {MAX_SECONDS:g} s", finished=time.time())
        _write_status(generation, status)
        os._exit(2)

    watchdog = threading.Timer(MAX_SECONDS, out_of_time)
    watchdog.daemon = True
    watchdog.start()
    try:
        warmed = warm_catalogue(paths, generation=generation, timeout=MAX_SECONDS / 4)
    except Exception as exc:  # reported in the status file: all a detached process has
        status.update(state="failed", error=f"{type(exc).__name__}: {exc}", finished=time.time())
        _write_status(generation, status)
        return 1
    status["questions"] = {w.name: {"rows": w.rows, "seconds": round(w.seconds, 3), "was_kept": w.was_kept,
                                    **({"error": w.error} if w.error else {})} for w in warmed}
    _write_status(generation, status)
    with contextlib.suppress(KGError, OSError):
        if current_generation(store) == generation:  # the index of names `kg ask` reads (kg.names.kept)
            from kg.names.kept import kept_entities
            from kg.store.generations import open_generation

            started = time.perf_counter()
            kept_entities(generation, open_generation(generation))
            status["entities_seconds"] = round(time.perf_counter() - started, 3)
    with contextlib.suppress(KGError, OSError):  # questions asked ahead about their usual values (kg.query.ahead)
        from kg.query.ahead import keep_ahead

        status["kept_ahead"] = {k.name: {"answers": k.answers, "seconds": round(k.seconds, 3),
                                         **({"error": k.error} if k.error else {})}
                                for k in keep_ahead(paths, generation, timeout=MAX_SECONDS / 4)}
    status["finished"] = time.time()
    try:
        live = current_generation(store) == generation
    except KGError:
        live = False
    status["state"] = "done" if live else "stopped"
    _write_status(generation, status)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m kg.query.warmer --project P --store S --generation G`` (started by :func:`start_warming`)."""
    ap = argparse.ArgumentParser(prog="python -m kg.query.warmer", description=__doc__.split("\n", 1)[0])
    ap.add_argument("--project", type=Path, required=True)
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--generation", required=True)
    args = ap.parse_args(argv)
    if "/" in args.generation or not args.generation.startswith("gen-"):
        ap.error("--generation names a generation folder of the store (gen-…)")
    return _run(args.project, args.store, args.generation)


if __name__ == "__main__":
    sys.exit(main())
