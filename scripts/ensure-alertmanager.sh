#!/usr/bin/env bash
# The monitoring tests (samdrift/operations/tests/test_alertmanager_live.py) run a real Prometheus
# Alertmanager whose receiver is the live test server; install Debian's package when missing.
# Fails loudly rather than skip the tests. The package starts no service here (no systemd): the
# test fixture starts its own process on its own port and data folder, and stops it by its id.
set -euo pipefail
command -v prometheus-alertmanager >/dev/null 2>&1 && exit 0
[ -x /usr/bin/prometheus-alertmanager ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Missing Debian package: prometheus-alertmanager." \
    "Install it: sudo apt-get install prometheus-alertmanager" >&2
  exit 1
fi
echo "Installing prometheus-alertmanager from Debian's packages…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  prometheus-alertmanager >/dev/null
