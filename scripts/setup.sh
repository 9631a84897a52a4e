#!/usr/bin/env bash
# Set up a virtualenv in .venv with the app and the test tools, at the versions Frappe v15 pins,
# and make sure MariaDB and Redis run. Idempotent; says what it does, step by step, on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
step() { printf '[setup] %s\n' "$*" >&2; }
apt_install() { # packages
	$SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

step "1/4 MariaDB and Redis on 127.0.0.1 (started, or installed from Debian, when missing)"
bash scripts/services.sh

step "2/4 tools the tests use: node (desk scripts), promtool (metrics and alert rules), pt-query-digest"
if ! command -v node >/dev/null 2>&1; then apt_install nodejs; fi
if ! command -v promtool >/dev/null 2>&1; then apt_install prometheus; fi  # Debian ships promtool in it
# pt-query-digest: the fingerprint test compares ours with it on random statements
if ! command -v pt-query-digest >/dev/null 2>&1; then apt_install percona-toolkit; fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
	echo "[setup] Python 3.10 or newer is needed (found: $("$PYTHON" --version 2>&1))" >&2
	exit 1
fi
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then apt_install python3-venv; fi
step "3/4 virtualenv .venv with the app (editable, console script .venv/bin/frappe-diagnostics) and its dependencies"
if [ ! -x .venv/bin/python ]; then
	"$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# the app WITH the dependencies pyproject.toml declares (at Frappe v15's pins), then the test tools:
# a dependency missing from pyproject.toml fails the suite instead of being installed by something else
.venv/bin/python -m pip install -q -e . -c constraints-frappe-v15.txt
step "4/4 the test tools (requirements-test.txt)"
.venv/bin/python -m pip install -q -r requirements-test.txt
echo "[setup] ready: .venv ($(.venv/bin/python --version))" >&2
