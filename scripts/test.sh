#!/usr/bin/env bash
# Set up (venv, packages, services) and run the standalone suite and the linter. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
