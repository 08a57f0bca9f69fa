#!/usr/bin/env bash
# Every check: set up .venv with the test extras if needed, lint, type-check, run the whole test suite.
# The bench extra too, so that the same .venv runs the benchmarks (python -m benchmarks.views …).
source "$(dirname "$0")/_venv.sh" test,bench
.venv/bin/ruff check kg tests benchmarks
.venv/bin/mypy
bash scripts/system-deps.sh
exec .venv/bin/python -m pytest "$@"
