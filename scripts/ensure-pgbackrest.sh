#!/usr/bin/env bash
# Point-in-time recovery on PostgreSQL (issue 18 item 1, ADR 0974) is pgBackRest's: samdrift
# writes its configuration, runs its backups and restores and reads its state. The test starts
# its own PostgreSQL cluster (Debian's server binaries) with WAL archiving through pgBackRest.
# Install Debian's packages when missing. Fails loudly rather than skip the test.
set -euo pipefail
need=()
command -v pgbackrest >/dev/null 2>&1 || need+=(pgbackrest)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Missing Debian packages: ${need[*]}. Install them: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian's packages…"
for attempt in 1 2 3 4 5 6; do  # another apt-get may hold the lock for a while
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    exit 0
  fi
  sleep 20
done
exit 1
