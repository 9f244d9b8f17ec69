#!/usr/bin/env bash
# Prepare this folder to run the app (`setup.sh run`) or to test it (`setup.sh test`): the
# Debian packages it needs, .venv and the pinned Python requirements. It installs only what is
# missing, so running it again is safe; run.sh and test.sh call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

# The one list of Debian packages. To run: for the case PDF (WeasyPrint), Pango, HarfBuzz's
# subsetter and the fonts the print stylesheet names; Python 3.11 with venv, unless python3
# can already make a virtual environment.
RUN_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core"
PYTHON_PACKAGES="python3 python3-venv"
# To test, besides: Debian's Chromium for the browser tests (Playwright never downloads one) and
# libatomic1 for Playwright's own driver; LibreOffice to save and open workbooks in the fidelity
# tests; node for the Apps Script tests and npm for axe-core (the accessibility tests), from
# Debian only when the commands are missing (a node from elsewhere brings its own npm, which
# Debian's npm package would conflict with).
TEST_PACKAGES="chromium libatomic1 libreoffice-calc-nogui postgresql"
TEST_COMMANDS="node:nodejs npm:npm"

missing_packages() {
    for package in "$@"; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" = installed ] ||
            printf '%s ' "$package"
    done
}

install_packages() {
    if ! command -v apt-get >/dev/null; then
        echo "Sem apt-get: instale o equivalente destes pacotes do Debian: $*" >&2
        return
    fi
    local missing as_root=()
    missing=$(missing_packages "$@")
    [ -n "$missing" ] || return 0
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || {
            echo "Faltam pacotes do Debian: $missing" >&2
            echo "Peça a quem tem acesso de root: apt-get update && apt-get install -y $missing" >&2
            exit 1
        }
        as_root=(sudo)
    fi
    echo "Instalando pacotes do Debian: $missing"
    "${as_root[@]}" apt-get update -qq
    # shellcheck disable=SC2086  # one word per package
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
}

case "${1:-}" in
run) packages=$RUN_PACKAGES requirements=requirements.txt ;;
test)
    packages="$RUN_PACKAGES $TEST_PACKAGES" requirements=requirements-dev.txt
    for pair in $TEST_COMMANDS; do
        command -v "${pair%%:*}" >/dev/null || packages="$packages ${pair#*:}"
    done
    ;;
*) echo "Uso: scripts/setup.sh run|test" >&2 && exit 2 ;;
esac

python3 -c 'import ensurepip, venv' 2>/dev/null || packages="$PYTHON_PACKAGES $packages"
# shellcheck disable=SC2086
install_packages $packages
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    { echo "O Retenção precisa do Python 3.11 ou mais novo como python3." >&2 && exit 1; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
# axe-core exactly as package-lock.json pins it, into the git-ignored node_modules/.
[ "$1" != test ] || npm ci --no-audit --no-fund --silent
