"""Who gets a query worker, and who is told to come back later: a fair share of the workers for ``kg serve``.

A server with *workers* query workers and every query waiting for any free one lets a few runaway queries (each
holding its worker until the time limit) make every other client wait. So the queries are sorted into two lanes:

* ``light``: the project's own catalogue questions (the text of a ``queries/*.rq`` file). They are bounded by
  design, and most are answered from the kept answers without any worker at all (:mod:`kg.query.kept`). They may
  use every worker.
* ``heavy``: any other query. Together they hold at most ``workers - reserved`` workers, so ``reserved`` workers
  are always left for light queries; and one client (an address) may have at most ``per_client`` heavy queries
  running at once, so one client cannot take the whole heavy lane while others wait.

Each lane has a bounded queue. A query that finds its lane's queue full, its client over its share, or waits
longer than the lane's ``max_wait`` seconds is refused at once with :class:`Busy`, which the server answers with
``503 Service Unavailable`` and ``Retry-After``: an overloaded server says so quickly instead of letting every
client wait for minutes. Light waiters go before heavy ones when a worker frees.

Our own code rather than a library: the rule (two lanes, a reserve, a share per client, a bounded wait) is a few
counters under one condition variable, and the server is the standard library's threaded HTTP server.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import QueryError

LIGHT = "light"
HEAVY = "heavy"


class Busy(QueryError):
    """The server has no worker for this query now; ``retry_after`` says in how many seconds to ask again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    """How the workers are shared (see the module's docstring)."""

    workers: int
    #: Workers heavy queries may never take.
    reserved: int = 1
    #: Heavy queries one client may have running at once.
    per_client: int = 1
    #: Queries that may wait for a worker, per lane.
    light_queue: int = 64
    heavy_queue: int = 64
    #: Seconds a query may wait for a worker before it is refused.
    light_wait: float = 10.0
    heavy_wait: float = 10.0

    @property
    def heavy_workers(self) -> int:
        """Workers the heavy lane may hold at once (at least one)."""
        return max(1, self.workers - self.reserved)


class Admission:
    """Hands out worker slots by lane and client; see the module's docstring."""

    def __init__(self, limits: Limits) -> None:
        if limits.workers < 1:
            raise ValueError("at least one worker")
        self.limits = limits
        self._cond = threading.Condition()
        self._running = {LIGHT: 0, HEAVY: 0}
        self._waiting = {LIGHT: 0, HEAVY: 0}
        self._per_client: dict[str, int] = {}
        self.refused = 0

    def _free(self, lane: str, client: str) -> bool:
        busy = self._running[LIGHT] + self._running[HEAVY]
        if busy >= self.limits.workers:
            return False
        if lane == HEAVY:
            return (self._waiting[LIGHT] == 0 and self._running[HEAVY] < self.limits.heavy_workers
                    and self._per_client.get(client, 0) < self.limits.per_client)
        return True

    def _refuse(self, message: str, retry_after: int) -> Busy:
        self.refused += 1
        return Busy(message, retry_after)

    @contextlib.contextmanager
    def admit(self, lane: str, client: str) -> Iterator[None]:
        """Hold a worker slot for one query of *client* in *lane* (``light`` or ``heavy``) while in the block.

        Raises :class:`Busy` without waiting when the lane's queue is full or the client has its share, and after
        the lane's longest wait when no slot came free.
        """
        limits = self.limits
        queue_max, wait = (limits.light_queue, limits.light_wait) if lane == LIGHT else (
            limits.heavy_queue, limits.heavy_wait)
        with self._cond:
            if not self._free(lane, client) and self._waiting[lane] >= queue_max:
                raise self._refuse("The server is busy: every query worker is taken and the queue is full. "
                                   "Try again shortly.", 1 if lane == LIGHT else 5)
            self._waiting[lane] += 1
            deadline = time.monotonic() + wait
            try:
                while not self._free(lane, client):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise self._refuse(f"The server is busy: no query worker came free within {wait:g} s. "
                                           "Try again shortly.", 1 if lane == LIGHT else 5)
                    self._cond.wait(remaining)
            except BaseException:
                self._waiting[lane] -= 1
                self._cond.notify_all()
                raise
            self._waiting[lane] -= 1
            self._running[lane] += 1
            if lane == HEAVY:
                self._per_client[client] = self._per_client.get(client, 0) + 1
        try:
            yield
        finally:
            with self._cond:
                self._running[lane] -= 1
                self._release_client(lane, client)
                self._cond.notify_all()

    def _release_client(self, lane: str, client: str) -> None:
        if lane != HEAVY:
            return
        left = self._per_client.get(client, 0) - 1
        if left > 0:
            self._per_client[client] = left
        else:
            self._per_client.pop(client, None)

    def snapshot(self) -> dict[str, int]:
        """Running and waiting queries by lane, and how many were refused so far (for tests and benchmarks)."""
        with self._cond:
            return {"light_running": self._running[LIGHT], "heavy_running": self._running[HEAVY],
                    "light_waiting": self._waiting[LIGHT], "heavy_waiting": self._waiting[HEAVY],
                    "refused": self.refused}
