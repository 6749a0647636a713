#!/usr/bin/env bash
# Known vulnerabilities in the locked dependencies fail the build (ADR 0039).
#
# pip-audit reads requirements/lock.txt (hashes required, pip not run) and asks a vulnerability
# service about every pin: PyPI's JSON API by default, OSV with AUDIT_SERVICE=osv. Ignored IDs
# come from requirements/audit-ignore.txt, each with its reason. A pin the service could not
# answer for also fails: an audit that audited nothing must not pass.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
SERVICE=${AUDIT_SERVICE:-pypi}
IGNORE_FILE=${AUDIT_IGNORE:-requirements/audit-ignore.txt}
extra=()
[[ -n "${AUDIT_OSV_URL:-}" ]] && extra+=(--osv-url "$AUDIT_OSV_URL")  # a mirror of OSV's API

ignores=()
while read -r id reason; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  if [[ -z "$reason" ]]; then
    echo "$IGNORE_FILE: $id has no reason / saknar motivering" >&2
    exit 2
  fi
  ignores+=(--ignore-vuln "$id")
done < "$IGNORE_FILE"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$BIN/pip-audit" -r requirements/lock.txt --require-hashes --disable-pip \
  --vulnerability-service "$SERVICE" --progress-spinner off --desc off "${ignores[@]}" "${extra[@]}" \
  >"$out" 2>&1 || status=$?
cat "$out"
unaudited=$(grep -c "could not be audited" "$out" || true)
if [[ "$unaudited" -gt 0 ]]; then
  echo "audit: $unaudited pinned packages could not be audited against '$SERVICE'" \
    "(is the service reachable?) / $unaudited paket kunde inte granskas" >&2
  exit 3
fi
exit "$status"
