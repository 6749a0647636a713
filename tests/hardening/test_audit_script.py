"""`make audit` (scripts/audit.sh): a known vulnerability in the lock fails, an ignored one with a
reason passes, an ignore without a reason and an unanswered audit fail (ADR 0039).

OSV itself is not reachable from here, so a small local server speaks OSV's query API
(`POST /v1/query`) to the real pip-audit; the lock, the script and pip-audit are the real ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VULN_ID = "PYSEC-0000-TEST"

pytestmark = pytest.mark.slow


def _vulnerable(package: str, version: str) -> dict[str, object]:
    return {
        "vulns": [
            {
                "id": VULN_ID,
                "summary": "test advisory",
                "affected": [
                    {
                        "package": {"name": package, "ecosystem": "PyPI"},
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [{"introduced": "0"}, {"fixed": "999"}],
                            }
                        ],
                        "versions": [version],
                    }
                ],
            }
        ]
    }


@pytest.fixture
def osv() -> Iterator[tuple[str, dict[str, str]]]:
    """A local OSV: answers `{}` (nothing known) except for the packages put in `advisories`."""
    advisories: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            name, version = query["package"]["name"], query["version"]
            body = _vulnerable(name, version) if advisories.get(name) == version else {}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query", advisories
    server.shutdown()


def audit(osv_url: str, ignore_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUDIT_SERVICE": "osv", "AUDIT_OSV_URL": osv_url}
    if ignore_file is not None:
        env["AUDIT_IGNORE"] = str(ignore_file)
    return subprocess.run(
        ["bash", "scripts/audit.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_clean_lock_passes(osv) -> None:
    url, _advisories = osv
    result = audit(url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stdout + result.stderr


def test_a_known_vulnerability_fails_and_an_ignore_with_a_reason_passes(osv, tmp_path) -> None:
    url, advisories = osv
    advisories["sqlparse"] = "0.6.1"  # the version the lock pins
    failed = audit(url)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert VULN_ID in failed.stdout and "sqlparse" in failed.stdout

    ignore = tmp_path / "ignore.txt"
    ignore.write_text(f"# test\n{VULN_ID}  only the CLI's SQL formatter uses it; not reachable\n")
    assert audit(url, ignore).returncode == 0

    ignore.write_text(f"{VULN_ID}\n")
    refused = audit(url, ignore)
    assert refused.returncode == 2
    assert "has no reason" in refused.stderr


def test_an_audit_that_cannot_ask_anyone_fails(tmp_path) -> None:
    result = audit("http://127.0.0.1:9/v1/query")  # discard port: nothing listens
    assert result.returncode != 0
