#!/usr/bin/env bash
# Every check: set up .venv with the test extras if needed, lint, type-check, run the whole test suite.
source "$(dirname "$0")/_venv.sh" test
.venv/bin/ruff check kg tests benchmarks
.venv/bin/mypy
bash scripts/system-deps.sh
exec .venv/bin/python -m pytest "$@"
