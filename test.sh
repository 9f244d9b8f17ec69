#!/usr/bin/env bash
# Set this folder up for the tests if needed, then check it as CI does: ruff, mypy, pytest.
# Arguments go to pytest, e.g. ./test.sh -m "not browser" or ./test.sh tests/test_print.py.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
