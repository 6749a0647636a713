#!/usr/bin/env bash
# Synapse (the Matrix homeserver behind SAFOS chat, issue 13) in its own virtual environment,
# .engines/synapse-venv: its pins clash with samdrift's, so it never enters .venv. The versions and
# their hashes are in requirements/synapse.txt (compiled from requirements/synapse.in); pip installs
# with --require-hashes. Idempotent and fast when already there: a stamp file holds the hash of the
# requirements file that built the venv, and nothing is done while it matches.
#
#   scripts/ensure-synapse.sh          install or update, print the venv's python path
#   scripts/ensure-synapse.sh --check  exit 0 when installed and current, 1 otherwise (no install)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${SAMDRIFT_SYNAPSE_VENV:-$ROOT/.engines/synapse-venv}"
REQ="$ROOT/requirements/synapse.txt"
STAMP="$VENV/.samdrift-requirements.sha256"
want="$(sha256sum "$REQ" | cut -d' ' -f1)"

if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  [ "${1:-}" = "--check" ] || echo "$VENV/bin/python"
  exit 0
fi
[ "${1:-}" = "--check" ] && exit 1

PY="${PYTHON:-python3}"
echo "Installing Synapse into $VENV (pinned in requirements/synapse.txt)…" >&2
mkdir -p "$(dirname "$VENV")"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
if [ -x "$HOME/.local/bin/uv" ]; then
  # sync: exactly what the file pins (a package dropped from it leaves the venv too)
  "$HOME/.local/bin/uv" pip sync -q --python "$VENV/bin/python" --require-hashes "$REQ" >&2
else
  "$VENV/bin/pip" install -q --disable-pip-version-check --require-hashes -r "$REQ" >&2
fi
"$VENV/bin/python" -c "import synapse; print('Synapse', synapse.__version__)" >&2
echo "$want" >"$STAMP"
echo "$VENV/bin/python"
