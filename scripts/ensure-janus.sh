#!/usr/bin/env bash
# SAFOS meetings (issue 14) run a real Janus media server (VideoRoom plug-in) that samdrift
# controls, coturn for TURN and ffmpeg, which packages a webinar's forwarded RTP as HLS for its
# viewers (ADR 0970); the tests start their own Janus and turnserver on loopback with a
# generated configuration. Install Debian's packages when missing. Fails loudly rather than skip the tests. The package starts no
# service here (no systemd): samdrift starts Janus as a process with its own configuration
# folder and ports, and stops it by its process id (samdrift/meetings/engine.py).
set -euo pipefail
need=()
[ -x /usr/bin/janus ] || command -v janus >/dev/null 2>&1 || need+=(janus)
[ -x /usr/bin/turnserver ] || command -v turnserver >/dev/null 2>&1 || need+=(coturn)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Missing Debian packages: ${need[*]}. Install them: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian's packages…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
