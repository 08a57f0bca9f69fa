"""The query worker processes (:mod:`kg.query.worker`): one per query, or kept running between queries.

:func:`ask_once` starts a worker for one query and kills it at the deadline, as :func:`kg.query.runner.run_query`
does by default: 60–100 ms, and the worker's RocksDB caches start empty, so a query about one region at a
million statements takes 0.15–0.5 s the first time where a warm process answers in 30–210 ms. A
:class:`WorkerPool` keeps up to *size* workers alive: each keeps the store generation open and answers one
request after another (:func:`kg.query.worker.loop`), for a long-lived caller such as ``kg serve``. The guarantees
stay those of a worker per query:

* a query that runs out of time gets its worker killed (a new one is started for the next query);
* a worker that dies, or answers garbage, is dropped and reported like a one-off worker;
* workers are started by one thread that lives as long as the pool, so the kernel kills them when the process
  that owns the pool dies (``PR_SET_PDEATHSIG`` follows the thread that started a child);
* a worker is replaced after :data:`RECYCLE_AFTER` queries, so no cache or leak grows without bound, and a new
  build's generation is opened by the next query that names it (the old one is closed first);
* a worker idle for :data:`IDLE_S` seconds is stopped, so an idle server holds neither its memory nor the
  files of a generation a rebuild has deleted.
"""

from __future__ import annotations

import os
import pickle
import queue
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from kg.errors import QueryError, QueryTimeout
from kg.query.worker import BOOT, BOOT_LOOP, HEADER

#: Queries a kept worker answers before it is replaced.
RECYCLE_AFTER = 500
#: Seconds a worker may stay idle before it is stopped: an idle worker holds memory, and the files of the
#: generation it last read, which a rebuild has deleted, stay on disk while it keeps them open.
IDLE_S = 60.0
#: How often idle workers are looked at (seconds).
REAP_EVERY_S = 5.0
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def _command(boot: str, *args: str) -> list[str]:
    """The command line of a worker running *boot* (``-P``: nothing imported from the current folder)."""
    return [sys.executable, "-P", "-c", boot, str(_PACKAGE_ROOT), *args]


def _timed_out(timeout: float) -> QueryTimeout:
    return QueryTimeout(f"The query ran longer than {timeout:g} s and was stopped. "
                        "Narrow it (add patterns or a LIMIT) or raise --timeout.")


def _died(code: int | None, last_words: str = "") -> QueryError:
    said = f": {last_words}" if last_words else ""
    return QueryError(f"The query worker died (exit code {code}{said}) before answering; "
                      "the query may need more memory than is available.")


def ask_once(request: dict[str, Any], timeout: float) -> tuple[str, Any]:
    """Start a worker for *request* (:func:`kg.query.worker.main`) and return its reply; kill it at *timeout*."""
    worker = subprocess.Popen(_command(BOOT), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        out, err = worker.communicate(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL), timeout=timeout)
    except subprocess.TimeoutExpired:
        raise _timed_out(timeout) from None
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    try:
        reply: tuple[str, Any] = pickle.loads(out)
    except Exception:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise _died(worker.returncode, last[0]) from None
    return reply


class _Kept:
    """One kept worker process and the pipes to it."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(_command(BOOT_LOOP, str(os.getpid())), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        self.answered = 0
        self.idle_since = time.monotonic()

    def ask(self, request: dict[str, Any], timeout: float) -> tuple[str, Any]:
        """Send *request*, wait for the reply until *timeout*; raise TimeoutError or EOFError."""
        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(HEADER.pack(len(data)) + data)
        except (BrokenPipeError, OSError):
            raise EOFError from None
        deadline = time.monotonic() + timeout
        size = HEADER.unpack(_read(self.process.stdout, HEADER.size, deadline))[0]
        reply: tuple[str, Any] = pickle.loads(_read(self.process.stdout, size, deadline))
        self.answered += 1
        return reply

    def stop(self) -> None:
        """Kill the process and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def _read(pipe: IO[bytes], size: int, deadline: float) -> bytes:
    """Exactly *size* bytes from *pipe* before *deadline*: TimeoutError after it, EOFError if the pipe ends."""
    chunks: list[bytes] = []
    fd = pipe.fileno()
    while size:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class WorkerPool:
    """Up to *size* kept query workers; :meth:`ask` is safe to call from many threads (at most *size* at once
    run in workers, the others start their own)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: list[_Kept] = []
        self._lock = threading.Lock()
        self._starts: queue.Queue[queue.Queue[_Kept | BaseException] | None] = queue.Queue()
        self._starter = threading.Thread(target=self._start_workers, name="kg-worker-starter", daemon=True)
        self._starter.start()
        self._closed = False

    def idle_pids(self) -> list[int]:
        """The process ids of the kept workers waiting for a query, most recently used last: what a test or a
        monitor looks at to find (or stop) them."""
        with self._lock:
            return [w.process.pid for w in self._idle]

    def _start_workers(self) -> None:
        """The starter thread: starts the workers that :meth:`_take` asks for, and stops idle ones."""
        while True:
            try:
                answer = self._starts.get(timeout=REAP_EVERY_S)
            except queue.Empty:
                self._stop_idle()
                continue
            if answer is None:
                return
            try:
                answer.put(_Kept())
            except BaseException as exc:  # handed to the thread that asked
                answer.put(exc)

    def _stop_idle(self) -> None:
        now = time.monotonic()
        with self._lock:
            stale = [w for w in self._idle if now - w.idle_since >= IDLE_S]
            self._idle = [w for w in self._idle if w not in stale]
        for worker in stale:
            worker.stop()

    def _take(self) -> _Kept:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.stop()
        answer: queue.Queue[_Kept | BaseException] = queue.Queue(maxsize=1)
        self._starts.put(answer)
        started = answer.get()
        if isinstance(started, BaseException):
            raise started
        return started

    def _give_back(self, worker: _Kept) -> None:
        with self._lock:
            if not self._closed and worker.answered < RECYCLE_AFTER and len(self._idle) < self.size:
                worker.idle_since = time.monotonic()
                self._idle.append(worker)
                return
        worker.stop()

    def ask(self, request: dict[str, Any], timeout: float) -> tuple[str, Any]:
        """What a one-off worker replies to *request* (``("ok", result)`` or ``("error", (kind, message))``),
        from a kept worker; raises :class:`~kg.errors.QueryTimeout` (the worker is killed) or
        :class:`~kg.errors.QueryError` when the worker dies."""
        worker = self._take()
        try:
            reply = worker.ask(request, timeout)
        except TimeoutError:
            worker.stop()
            raise _timed_out(timeout) from None
        except (EOFError, pickle.UnpicklingError, ValueError):
            code = worker.process.poll()
            worker.stop()
            raise _died(code) from None
        except BaseException:
            worker.stop()
            raise
        self._give_back(worker)
        return reply

    def close(self) -> None:
        """Stop every kept worker and the thread that starts them."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
        self._starts.put(None)
        self._starter.join(5)
