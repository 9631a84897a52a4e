#!/usr/bin/env bash
# Set up and run the main job: `frappe-diagnostics doctor` on this machine (the host, and the bench's
# site when run from inside a bench). Extra arguments go to the doctor, e.g. --json or --bench PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/setup.sh"
exec "$here/.venv/bin/frappe-diagnostics" doctor "$@"
