#!/usr/bin/env bash
# Set up a virtualenv in .venv with the app and the test tools, at the versions Frappe v15 pins,
# and make sure MariaDB and Redis run. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh

if ! command -v node >/dev/null 2>&1; then  # the static tests parse the desk scripts with node
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
	echo "[setup] Python 3.10 or newer is needed (found: $("$PYTHON" --version 2>&1))" >&2
	exit 1
fi
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
	"$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# the app WITH the dependencies pyproject.toml declares (at Frappe v15's pins), then the test tools:
# a dependency missing from pyproject.toml fails the suite instead of being installed by something else
.venv/bin/python -m pip install -q -e . -c constraints-frappe-v15.txt
.venv/bin/python -m pip install -q -r requirements-test.txt
echo "[setup] ready: .venv ($(.venv/bin/python --version))" >&2
