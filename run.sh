#!/usr/bin/env bash
# Set this folder up if needed, then run the app for one person at http://127.0.0.1:5000 in
# debug mode (cases in instance/retencao.xlsx unless .env names a Google sheet). Arguments go
# to `flask run`, e.g. ./run.sh --port 5001.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh run
exec .venv/bin/flask --app app run --debug "$@"
