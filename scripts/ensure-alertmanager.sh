#!/usr/bin/env bash
# The monitoring tests run a real Prometheus Alertmanager whose receiver is the live test server
# (samdrift/operations/tests/test_alertmanager.py) and a real Prometheus that capacity figures are
# queried from (test_capacity_prometheus.py); install Debian's packages when missing. Fails
# loudly rather than skip the tests. The packages start no service here (no systemd): each test
# fixture starts its own process on its own port and data folder, and stops it by its id.
set -euo pipefail
missing=()
[ -x /usr/bin/prometheus-alertmanager ] || command -v prometheus-alertmanager >/dev/null 2>&1 \
  || missing+=(prometheus-alertmanager)
[ -x /usr/bin/prometheus ] || command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Missing Debian packages: ${missing[*]}." \
    "Install them: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian's packages…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
