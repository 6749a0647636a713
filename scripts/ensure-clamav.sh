#!/usr/bin/env bash
# The malware-scanning tests run a real clamd (ClamAV's daemon) on their own socket with a
# signature database they write themselves; install Debian's packages when missing. Fails loudly
# rather than skip the tests. (No signature download is needed: the tests bring their own.)
set -euo pipefail
need=()
command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ] || need+=(clamav-daemon)
command -v clamscan >/dev/null 2>&1 || need+=(clamav)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Missing Debian packages: ${need[*]}. Install them: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian's packages…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
# Debian's packages start a system clamd and freshclam where systemd runs; the tests need neither.
