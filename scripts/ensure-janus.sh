#!/usr/bin/env bash
# SAFOS meetings (issue 14) run a real Janus media server (VideoRoom plug-in) that samdrift
# controls; the tests start their own Janus on loopback with a generated configuration. Install
# Debian's package when missing. Fails loudly rather than skip the tests. The package starts no
# service here (no systemd): samdrift starts Janus as a process with its own configuration
# folder and ports, and stops it by its process id (samdrift/meetings/engine.py).
set -euo pipefail
command -v janus >/dev/null 2>&1 || [ -x /usr/bin/janus ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Missing Debian package: janus. Install it: sudo apt-get install janus" >&2
  exit 1
fi
echo "Installing janus from Debian's packages…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends janus >/dev/null
