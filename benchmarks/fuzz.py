"""Fuzz every parser of untrusted text with many more examples than the test suite runs.

    python benchmarks/fuzz.py                 # 3,000 examples per property (profile "deep", random seed)
    python benchmarks/fuzz.py -n 20000        # more
    python benchmarks/fuzz.py -k gate         # only the properties whose name matches

Runs the properties of tests/test_fuzz.py (the suite runs 150 reproducible examples of each) and prints
hypothesis' statistics: examples run and the time per example for each property. A failure prints the
smallest input that fails: keep it as an `@example` in tests/test_fuzz.py once fixed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("-n", "--examples", type=int, default=3000, help="examples per property")
	parser.add_argument("-k", default=None, help="only properties whose name matches (pytest -k)")
	args = parser.parse_args(argv)
	env = {**os.environ, "DIAG_FUZZ_PROFILE": "deep", "DIAG_FUZZ_EXAMPLES": str(args.examples)}
	cmd = [sys.executable, "-m", "pytest", "tests/test_fuzz.py", "-q", "-p", "no:cacheprovider"]
	cmd += ["--hypothesis-show-statistics", *(["-k", args.k] if args.k else [])]
	return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
	raise SystemExit(main())
