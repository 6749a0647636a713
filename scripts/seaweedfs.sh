#!/usr/bin/env bash
# SeaweedFS as samdrift's S3 server for tests, benchmarks and trying the S3 backend by hand.
#
#   scripts/seaweedfs.sh start DATA_DIR [S3_PORT]   start `weed server -s3` in the background,
#                                                   wait until a bucket accepts a write, print
#                                                   the settings to export, exit 0
#   scripts/seaweedfs.sh stop DATA_DIR              stop it (by the process id in DATA_DIR)
#
# Every port (master, volume, filer, S3 and their gRPC ports) is a free one picked at start, so
# parallel test runs do not collide; S3_PORT fixes the S3 one. Only 127.0.0.1 is bound and
# telemetry is off. Key, secret and bucket come from SAMDRIFT_S3_ACCESS_KEY_ID,
# SAMDRIFT_S3_SECRET_ACCESS_KEY and SAMDRIFT_S3_BUCKET (defaults below, for tests only).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WEED="${WEED:-$ROOT/.venv/bin/weed}"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
ACCESS_KEY="${SAMDRIFT_S3_ACCESS_KEY_ID:-samdrift-test}"
SECRET_KEY="${SAMDRIFT_S3_SECRET_ACCESS_KEY:-samdrift-test-secret}"
BUCKET="${SAMDRIFT_S3_BUCKET:-samdrift}"

usage() { sed -n '4,9p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
command="$1"
dir="$(mkdir -p "$2" && cd "$2" && pwd)"

free_ports() {  # N distinct free ports on 127.0.0.1, held open together so none repeats
  "$PY" - "$1" <<'EOF'
import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))
EOF
}

case "$command" in
stop)
  if [ -f "$dir/weed.pid" ]; then
    pid="$(cat "$dir/weed.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/weed.pid"
  fi
  ;;
start)
  read -r master volume filer s3 master_g volume_g filer_g s3_g <<<"$(free_ports 8)"
  s3="${3:-$s3}"
  mkdir -p "$dir/data"
  cat >"$dir/s3.json" <<EOF
{"identities": [{"name": "samdrift",
  "credentials": [{"accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
  "$WEED" server -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="$master" -master.port.grpc="$master_g" -master.telemetry=false \
    -master.volumeSizeLimitMB=256 -volume.max=0 -volume.preStopSeconds=0 \
    -volume.port="$volume" -volume.port.grpc="$volume_g" \
    -filer -filer.port="$filer" -filer.port.grpc="$filer_g" \
    -s3 -s3.port="$s3" -s3.port.grpc="$s3_g" -s3.config="$dir/s3.json" \
    -s3.port.iceberg=0 -s3.port.lance=0 \
    -filer.localSocket="$dir/filer.sock" -s3.localSocket="$dir/s3.sock" \
    >"$dir/weed.log" 2>&1 &
  echo $! >"$dir/weed.pid"
  endpoint="http://127.0.0.1:$s3"
  # Ready means a real write succeeds: the S3 gateway answers only once master, volume and
  # filer have found each other, and the first write allocates a volume.
  if ! "$PY" - "$endpoint" "$ACCESS_KEY" "$SECRET_KEY" "$BUCKET" "$(cat "$dir/weed.pid")" <<'EOF'
import os, sys, time
import boto3
from botocore.config import Config
endpoint, key, secret, bucket, pid = sys.argv[1:]
client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key,
    aws_secret_access_key=secret, region_name="us-east-1",
    config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5))
deadline = time.monotonic() + 60
while True:
    try:
        os.kill(int(pid), 0)
    except OSError:
        sys.exit("weed exited")
    try:
        try:
            client.create_bucket(Bucket=bucket)
        except client.exceptions.BucketAlreadyOwnedByYou:
            pass
        client.put_object(Bucket=bucket, Key=".ready", Body=b"ok")
        client.delete_object(Bucket=bucket, Key=".ready")
        break
    except Exception as exc:
        if time.monotonic() > deadline:
            sys.exit(f"not ready after 60 s: {exc}")
        time.sleep(0.3)
EOF
  then
    echo "SeaweedFS did not start; its log is $dir/weed.log:" >&2
    tail -n 30 "$dir/weed.log" >&2
    "$0" stop "$dir"
    exit 1
  fi
  echo "SAMDRIFT_S3_ENDPOINT_URL=$endpoint"
  echo "SAMDRIFT_S3_BUCKET=$BUCKET"
  echo "SAMDRIFT_S3_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "SAMDRIFT_S3_SECRET_ACCESS_KEY=$SECRET_KEY"
  echo "SEAWEEDFS_PID=$(cat "$dir/weed.pid")"
  ;;
*) usage ;;
esac
