#!/bin/bash
# Runs the whole test suite. pytest's exit code 5 ("no tests collected") is a failure here:
# a suite that ran nothing has proven nothing. The 30 slowest tests are listed at the end: where
# `make test`'s time budget goes.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest --durations=30 "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "tests/run.sh: pytest collected no tests" >&2
  exit 1
fi
exit $rc
