#!/usr/bin/env bash
# Set up and run the main job: `frappe-diagnostics doctor` on this machine (the host, and the bench's
# site when run from inside a bench). Extra arguments go to the doctor, e.g. --json or --bench PATH.
# The command lands in .venv/bin, not on PATH: the last line printed says how to call it next.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/setup.sh"
program="$here/.venv/bin/frappe-diagnostics"
echo "[run] $program doctor $*" >&2
status=0
"$program" doctor "$@" || status=$?
echo "[run] $program is not on PATH: call it by that path (in a bench: env/bin/frappe-diagnostics)." >&2
echo "next: $program --help" >&2
exit "$status"
