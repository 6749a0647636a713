#!/usr/bin/env bash
# The WebDAV tests (samdrift/collaboration/tests/test_webdav.py) drive a real WebDAV client,
# Debian's rclone, against a running server; install it when missing. Fails loudly rather than
# skip the tests.
set -euo pipefail
command -v rclone >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Missing Debian package: rclone. Install it: sudo apt-get install rclone" >&2
  exit 1
fi
echo "Installing rclone from Debian's packages…"
for attempt in 1 2 3 4 5 6; do  # another apt-get may hold the lock for a while
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rclone >/dev/null; then
    exit 0
  fi
  sleep 20
done
exit 1
