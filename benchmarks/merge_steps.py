"""One ``kg merge --accept-all`` with the seconds of each step, for :mod:`benchmarks.corpus`.

Run as a script (``python benchmarks/merge_steps.py PROJECT DRAFT``, with ``PYTHONPATH`` naming the checkout
whose ``kg`` is timed): it imports only ``kg``, so the same script times an older checkout too. It wraps the
steps a merge goes through (those that checkout has) with timers, merges, and prints one JSON object: the
seconds per step, the build's own timings and the whole, imports included, as ``kg merge`` would take.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()

#: (module, function) of the steps timed, where the checkout has them: the review gate, the duplicate check,
#: the identity check, the staged check of older checkouts, and the build.
STEPS = (("kg.ingest.decisions", "changes_to_known", "gate"), ("kg.ingest.merge", "find_duplicates", "duplicates"),
         ("kg.ingest.merge", "identity_changes", "identity"), ("kg.ingest.merge", "check", "staged check"),
         ("kg.ingest.merge", "build", "build"))


def main(argv: list[str]) -> int:
    import importlib

    project, draft = Path(argv[0]), Path(argv[1])
    from kg.ingest.decisions import merge_reviewed
    from kg.paths import make_paths

    seconds: dict[str, float] = {}
    for module, name, label in STEPS:
        mod = importlib.import_module(module)
        fn = getattr(mod, name, None)
        if fn is not None:
            setattr(mod, name, _timed(fn, label, seconds))
    started = time.perf_counter()
    report: Any = merge_reviewed(make_paths(project, project / "store"), draft, accept_all=True)
    seconds["merge"] = time.perf_counter() - started
    seconds["process"] = time.perf_counter() - STARTED
    print(json.dumps({"steps": seconds, "build": report.build.timings,
                      "rederived": getattr(report.build, "rederived", "")}))
    return 0


def _timed(fn: Callable[..., Any], label: str, seconds: dict[str, float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - started
    return wrapper


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
