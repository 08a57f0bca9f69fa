#!/usr/bin/env bash
# The main job: set up .venv if needed, build the graph from data/, print a summary and the answers.
source "$(dirname "$0")/_venv.sh"
exec .venv/bin/kg run "$@"
