#!/usr/bin/env bash
# Installs the pinned Python tools (requirements.txt: slither-analyzer, crytic-compile) into
# target/venv from PyPI, once, and again whenever requirements.txt changes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV="$ROOT/target/venv"
REQ="$ROOT/scripts/mutation/requirements.txt"
if [ -x "$VENV/bin/slither" ] && cmp -s "$REQ" "$VENV/requirements.txt"; then exit 0; fi
echo "installing $(grep -v '^#' "$REQ" | tr '\n' ' ')into $VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
cp "$REQ" "$VENV/requirements.txt"
