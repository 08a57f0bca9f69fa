"""The query worker: one process per query, started by :func:`kg.query.runner.run_query` and killed at its deadline.

It is a plain child process (``python -c``, not :mod:`multiprocessing`): it reads one pickled request on its
standard input, opens the store generation read-only, evaluates the query with
:func:`kg.query.evaluation.evaluate_on` and writes one pickled reply on its standard output, then exits. Nothing
of the caller is imported again in the child (``spawn`` re-ran the caller's main module, click and the CLI
included, and refused to start from a script without a ``__main__`` guard), so a worker starts in about a
tenth of the time.

Before anything else the worker asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``), and
moves into an empty network namespace where the system allows, as a second line behind :mod:`kg.query.guard`.

:func:`loop` is the same worker kept running for many queries, one after the other, by a
:class:`kg.query.pool.WorkerPool` (``kg serve``): length-prefixed pickles both ways, the store kept open.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import struct
import sys
from typing import Any, BinaryIO

#: The code a worker runs (with ``-P``: no current folder on the path). argv[1] is the folder that holds the
#: ``kg`` package the caller imported, put first on the path unless it is there already (site-packages, where
#: it must not come before the standard library).
BOOT = ("import sys; root = sys.argv[1]; root in sys.path or sys.path.insert(0, root); "
        "from kg.query.worker import main; main()")
#: The code a kept worker runs: argv[2] is the PID of its parent.
BOOT_LOOP = ("import sys; root = sys.argv[1]; root in sys.path or sys.path.insert(0, root); "
             "from kg.query.worker import loop; loop(int(sys.argv[2]))")


def _die_with_parent(parent: int) -> None:
    """Best effort (Linux): SIGKILL this process when the parent that started it exits."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent was gone before the request took effect
        os._exit(1)


def _drop_network() -> None:
    """Best effort: move this process into an empty network namespace, so no request can leave it."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        clone_newnet, clone_newuser = 0x40000000, 0x10000000
        if libc.unshare(clone_newnet) != 0:
            libc.unshare(clone_newuser | clone_newnet)


def _runtime_message(exc: RuntimeError, bindings: dict[str, Any]) -> str:
    text = str(exc)
    if "SELECT projection" in text and bindings:
        return f"{text}. A --param variable must appear in the SELECT clause (for example SELECT ?x …)."
    return f"The query failed: {text}"


def answer(request: dict[str, Any], store: Any = None) -> tuple[str, Any]:
    """``("ok", QueryResult)`` or ``("error", (kind, message))`` for one request (kind: syntax, store, query),
    on *store* when given (the request's generation, already open), else on the generation opened here."""
    bindings: dict[str, Any] = request["bindings"]
    try:
        import pyoxigraph as ox

        from kg.query.evaluation import evaluate_on

        if store is None:
            store = ox.Store.read_only(request["generation"])
        return "ok", evaluate_on(store, request["sparql"], request["form"], bindings, request["limit"])
    except SyntaxError as exc:
        return "error", ("syntax", str(exc))
    except OSError as exc:
        return "error", ("store", f"Cannot read the store: {exc}. Rebuild it with `kg build`.")
    except RuntimeError as exc:
        return "error", ("query", _runtime_message(exc, bindings))
    except Exception as exc:  # anything else must still reach the parent as a message
        return "error", ("query", f"The query failed: {exc}")


def _start(parent: int, stdout: BinaryIO | None) -> BinaryIO:
    """What every worker does first: die with *parent*, drop the network, and keep standard output for the
    replies alone (returned), so that anything a library prints goes to standard error."""
    _die_with_parent(parent)
    _drop_network()
    if stdout is not None:
        return stdout
    reply = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    return reply


def main(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Read one request, write one reply."""
    request: dict[str, Any] = pickle.load(stdin or sys.stdin.buffer)
    with _start(int(request["parent"]), stdout) as reply:
        pickle.dump(answer(request), reply, protocol=pickle.HIGHEST_PROTOCOL)


#: A message between a pool and a kept worker: its length (8 bytes, big-endian), then a pickle.
HEADER = struct.Struct("!Q")


def loop(parent: int, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """A kept worker (:class:`kg.query.pool.WorkerPool`): answer requests one after the other until standard
    input ends, keeping the store generation open between them (its caches stay warm) and opening the new one
    when a request names another."""
    source = stdin or sys.stdin.buffer
    store: Any = None
    generation = None
    with _start(parent, stdout) as reply:
        while len(header := source.read(HEADER.size)) == HEADER.size:
            request: dict[str, Any] = pickle.loads(source.read(HEADER.unpack(header)[0]))
            if request["generation"] != generation:
                store, generation = None, None  # the old generation is closed before the new one opens
                with contextlib.suppress(OSError):
                    import pyoxigraph as ox

                    store, generation = ox.Store.read_only(request["generation"]), request["generation"]
            data = pickle.dumps(answer(request, store), protocol=pickle.HIGHEST_PROTOCOL)
            reply.write(HEADER.pack(len(data)) + data)
            reply.flush()
