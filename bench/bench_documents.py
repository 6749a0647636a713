"""`make bench-documents`: SAFOS documents (issue 11) — transfer through samdrift vs raw S3, and a
folder of 100,000 documents.

    make bench-documents     (BENCH_DOCUMENTS_MB=1024 total, BENCH_LISTING_DOCS=100000,
                              BENCH_LISTING_REQUESTS=200; BENCH_DOCUMENTS_PARTS=transfer,listing)

1. transfer: a SeaweedFS (`scripts/seaweedfs.sh`) and a served samdrift (`samdrift serve`,
   production settings, SQLite) whose storage is that SeaweedFS; one SAFOS-connected agency, a
   class-0 workspace and a token of a member. Files of mixed sizes (1, 4, 16, 64, 128 MB, in turn)
   until BENCH_DOCUMENTS_MB is reached; per file, alternating: raw boto3 `put_object` and
   `get_object` of the same bytes to the same bucket (the baseline), then samdrift's
   `POST /api/v1/collaboration/workspaces/{id}/documents` and `GET /documents/{id}/content` (the
   user's whole path: malware-scan hook, name and content checks, quota, version row, audit; the
   download checked against its SHA-256 and audited). Printed: MB/s of each over all bytes, the
   ratio (floor >= 0.70 each way) and the server's peak resident memory against the largest file.
2. listing: in a child with a fresh SQLite database, one workspace folder holding 1,000 and then
   BENCH_LISTING_DOCS documents (one version each); the workspace page of that folder through
   Django's test client (session at loa3, 50 rows a page: first pages and random deep pages),
   against the bare SQL of one page (the baseline). Printed: p50/p95/max ms, the queries per page
   at both sizes. Floors: p95 < 100 ms, and the same number of queries at both sizes.
Full-text search over 100,000 documents is `bench/bench_search.py` (also run by this target).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from support import free_port, post_file, production_env, upload_session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MB = 1024 * 1024
FLOOR = 0.70
P95_MS = 100.0
SIZES_MB = (1, 4, 16, 64, 128)


def _world() -> dict[str, Any]:
    """Provider, SAFOS, a connected agency, a member; returns ids and the user."""
    from samdrift.tests.factories import (
        MembershipFactory,
        OrganisationFactory,
        ProviderFactory,
        ServiceFactory,
        SubscriptionFactory,
        UserFactory,
    )

    provider = ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    service = ServiceFactory(code="SAFOS", provider=provider)
    agency = OrganisationFactory(name="Bänkmyndigheten")
    SubscriptionFactory(organisation=agency, service=service)
    user = UserFactory(username="bench", email="bench@example.se")
    MembershipFactory(user=user, organisation=agency, role="member")
    return {"agency": agency, "user": user}


def transfer_setup_child() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.accounts.services import token_create
    from samdrift.collaboration import services

    world = _world()
    actor = actor_for_user(world["user"], loa_rank=3)
    workspace = services.workspace_create(
        actor=actor, name="Bänk", classification=0, quota_bytes=100 * 1024**3
    )
    _token, secret = token_create(actor=actor_for_user(world["user"]), name="bench")
    from samdrift.accounts.app_passwords import app_password_create
    from samdrift.collaboration.webdav.provider import segment_for

    _row, dav = app_password_create(actor=actor, name="bench", max_class=0)
    print(
        json.dumps(
            {
                "workspace": workspace.id,
                "token": secret,
                "dav": dav,
                "dav_dir": segment_for(workspace),
            }
        )
    )


def transfer(total_mb: int) -> tuple[bool, list[str]]:

    sizes: list[int] = []
    while sum(sizes) < total_mb:
        sizes.append(SIZES_MB[len(sizes) % len(SIZES_MB)])
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
        work = Path(tmp)
        # The user's whole path includes the malware scan (ADR 0606): a clamd with the kernel's
        # test signatures, its stream limit above the largest file. BENCH_DOCUMENTS_CLAMD=0: off.
        scan = os.environ.get("BENCH_DOCUMENTS_CLAMD", "1") != "0"
        from samdrift.core.files.tests.clamd import running_clamd

        clamd_cm = running_clamd(work / "clamd", stream_max=f"{max(sizes) + 1}M") if scan else None
        clamd = clamd_cm.__enter__() if clamd_cm else None
        try:
            return _transfer_served(work, sizes, clamd, lines)
        finally:
            if clamd_cm:
                clamd_cm.__exit__(None, None, None)


def _transfer_served(
    work: Path, sizes: list[int], clamd: Any, lines: list[str]
) -> tuple[bool, list[str]]:
    from bench_files import Meter, peak_rss_mb, wait_for

    from samdrift.core.files.testing import running_seaweedfs

    if True:
        with running_seaweedfs(work / "seaweedfs") as s3:
            port = free_port()
            env = production_env(
                work / "data",
                base_url=f"http://127.0.0.1:{port}",
                DATABASE_URL=f"sqlite:///{work / 'samdrift.sqlite3'}",
                SAMDRIFT_S3_ENDPOINT_URL=s3.endpoint_url,
                SAMDRIFT_S3_BUCKET=s3.bucket,
                SAMDRIFT_S3_ACCESS_KEY_ID=s3.access_key,
                SAMDRIFT_S3_SECRET_ACCESS_KEY=s3.secret_key,
                SAMDRIFT_FILES_MAX_BYTES=str(max(sizes) * MB + MB),
                DJANGO_SETTINGS_MODULE="bench.documents_settings",
                BENCH_DOCUMENTS_CLAMD_ADDRESS=clamd.unix_address if clamd else "",
            )
            made = subprocess.run(
                [sys.executable, __file__, "--transfer-setup"],
                env=env, cwd=ROOT, capture_output=True, text=True, check=True,
            )  # fmt: skip
            fixture = json.loads(made.stdout.strip().splitlines()[-1])
            log = (work / "server.log").open("wb")
            server = subprocess.Popen(
                [sys.executable, "-m", "samdrift.cli", "serve", "--port", str(port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            # As in production, a jobs worker beside the server: it scans the uploads held for
            # their scan (ADR 0688) and makes them versions.
            worker = subprocess.Popen(
                [sys.executable, "-m", "samdrift.cli", "worker", "--schedules", "none"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                base = f"http://127.0.0.1:{port}"
                wait_for(f"{base}/healthz", server, work / "server.log")
                rss_idle = peak_rss_mb(server.pid)
                settle = _settled(work / "samdrift.sqlite3")
                walls = _transfer_rounds(
                    base,
                    fixture,
                    s3,
                    sizes,
                    Meter(server.pid, s3.pid),
                    settle,
                    lambda: peak_rss_mb(server.pid),
                )
                rss_peak = peak_rss_mb(server.pid)
            finally:
                for process in (worker, server):
                    process.terminate()
                    process.wait(timeout=30)
                log.close()
    ok = True
    lines.append(
        f"transfer: {sum(sizes)} MB in {len(sizes)} files of {'/'.join(map(str, SIZES_MB))} MB "
        "(in turn), samdrift (served, S3) vs raw boto3, same SeaweedFS, same run; malware scan "
        f"{'on (clamd)' if clamd else 'off'}"
    )
    for direction, ours, raw in (
        ("upload", "up", "raw_up"),
        ("download", "down", "raw_down"),
        ("WebDAV PUT", "dav_up", "raw_up"),
        ("WebDAV GET", "dav_down", "raw_down"),
    ):
        ours_mbps = sum(sizes) / sum(walls[ours])
        raw_mbps = sum(sizes) / sum(walls[raw])
        ratio = ours_mbps / raw_mbps
        ok &= ratio >= FLOOR
        lines.append(
            f"  {direction:10s} samdrift {ours_mbps:7.1f} MB/s  raw {raw_mbps:7.1f} MB/s  ratio "
            f"{ratio:.2f} (floor {FLOOR:.2f}) {'PASS' if ratio >= FLOOR else 'FAIL'}"
        )
    # A held upload is answered once stored; it can be read once its scan found it clean. Shown
    # beside the floor's figures, not judged: the raw PUT scans nothing.
    held = sum(1 for h in walls["held"] if h)
    readable_mbps = sum(sizes) / sum(walls["readable"])
    lines.append(
        f"  {'readable':10s} samdrift {readable_mbps:7.1f} MB/s  from each upload's start until "
        f"it can be read, malware scan included ({held} of {len(sizes)} held for the scan)"
    )
    lines.append(
        f"  {'readable':10s} WebDAV   {sum(sizes) / sum(walls['dav_readable']):7.1f} MB/s  the "
        "same for each WebDAV PUT (held from the same size, ADR 0692)"
    )
    lines.append(
        f"  server peak resident memory {rss_peak:.0f} MB (idle {rss_idle:.0f} MB), largest file "
        f"{max(sizes)} MB; peak after the first file of each size: "
        + ", ".join(
            f"{size} MB {mb:.0f}" for size, mb in zip(SIZES_MB, walls["peak_after"], strict=False)
        )
    )
    return ok, lines


def _settled(database: Path) -> Any:
    """Waits until the worker has no job left (the scan, then each version's text extraction
    and checks), so each transfer is measured alone, as the raw one is."""
    import sqlite3

    def settle() -> None:
        deadline = time.monotonic() + 600
        with sqlite3.connect(database, timeout=30) as db:
            while time.monotonic() < deadline:
                (waiting,) = db.execute(
                    "SELECT count(*) FROM jobs_job WHERE status IN ('READY', 'RUNNING')"
                ).fetchone()
                if not waiting:
                    return
                time.sleep(0.05)
        raise SystemExit("the worker did not finish its jobs within 600 s")

    return settle


def _transfer_rounds(
    base: str,
    fixture: dict[str, Any],
    s3: Any,
    sizes: list[int],
    meter: Any,
    settle: Any,
    peak: Any,
) -> dict[str, list[float]]:
    client = s3.client()
    http = upload_session()
    http.headers["Authorization"] = f"Bearer {fixture['token']}"
    upload_url = f"{base}/api/v1/collaboration/workspaces/{fixture['workspace']}/documents"
    walls: dict[str, list[float]] = {
        "raw_up": [], "raw_down": [], "up": [], "down": [], "dav_up": [], "dav_down": [],
        "readable": [], "held": [], "dav_readable": [], "peak_after": [],
    }  # fmt: skip
    dav = requests.Session()
    dav.auth = ("bench", fixture["dav"])
    dav_dir = f"{base}/dav/{quote(fixture['dav_dir'])}"
    for n, size_mb in enumerate(sizes):
        # text that does not compress (base64 of random bytes): a .txt passes the content check
        body = base64.b64encode(os.urandom(size_mb * MB * 3 // 4))
        digest = hashlib.sha256(body).hexdigest()
        key = f"bench/raw-{n}"

        def raw_get(key: str = key, digest: str = digest) -> None:
            got = client.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
            assert hashlib.sha256(got).hexdigest() == digest

        def ours_put(n: int = n, body: bytes = body, digest: str = digest) -> dict[str, Any]:
            created = post_file(http, upload_url, f"dokument-{n}.txt", body, "text/plain")
            assert created.status_code in (201, 202), created.text
            assert created.json()["sha256"] == digest
            return created.json() | {"held": created.status_code == 202}

        def readable(answer: dict[str, Any]) -> str:
            """The held upload's status until it is a version (the worker scanned it)."""
            while answer["held"] and answer.get("state") != "stored":
                assert answer.get("state") in ("scanning", None), answer
                time.sleep(0.02)
                answer = http.get(f"{base}{answer['status']}").json() | {"held": True}
            return f"{base}/api/v1/collaboration/documents/{answer['document_id']}/content"

        def ours_get(url: str, digest: str = digest) -> None:
            got = http.get(url, stream=True)
            assert got.status_code == 200, got.text
            check = hashlib.sha256()
            for chunk in got.iter_content(MB):
                check.update(chunk)
            assert check.hexdigest() == digest, "samdrift sent other bytes"

        def raw_put(key: str = key, body: bytes = body) -> None:
            client.put_object(Bucket=s3.bucket, Key=key, Body=body)

        settle()
        walls["raw_up"].append(meter(raw_put)[0])
        walls["raw_down"].append(meter(raw_get)[0])
        started = time.perf_counter()
        wall, _cpu, answer = meter(ours_put)
        walls["up"].append(wall)
        url = readable(answer)
        walls["readable"].append(time.perf_counter() - started)
        walls["held"].append(float(answer["held"]))
        settle()
        walls["down"].append(meter(lambda url=url: ours_get(url))[0])

        # Other bytes than the HTTP upload's: clamd answers a file it has seen from its cache, and
        # the WebDAV figure must include a real scan as the HTTP one does.
        dav_body = base64.b64encode(os.urandom(size_mb * MB * 3 // 4))
        dav_digest = hashlib.sha256(dav_body).hexdigest()

        def dav_put(n: int = n, body: bytes = dav_body) -> str:
            url = f"{dav_dir}/dav-{n}.txt"
            created = dav.put(url, data=body, headers={"Content-Type": "text/plain"})
            assert created.status_code == 201, created.text
            return url

        def dav_get(url: str, digest: str = dav_digest) -> None:
            got = dav.get(url, stream=True)
            assert got.status_code == 200, got.text
            check = hashlib.sha256()
            for chunk in got.iter_content(MB):
                check.update(chunk)
            assert check.hexdigest() == digest, "WebDAV sent other bytes"

        def dav_readable(url: str) -> None:
            """A held PUT (ADR 0692) answers 503 until its scan found it clean."""
            while (status := dav.head(url).status_code) == 503:
                time.sleep(0.02)
            if status != 200:  # refused after its answer: say why
                held = http.get(
                    f"{base}/api/v1/collaboration/workspaces/{fixture['workspace']}/held"
                )
                raise SystemExit(f"{url}: {status} after its PUT; held uploads: {held.text[:2000]}")

        started = time.perf_counter()
        wall, _cpu, dav_url = meter(dav_put)
        walls["dav_up"].append(wall)
        dav_readable(dav_url)
        walls["dav_readable"].append(time.perf_counter() - started)
        settle()
        walls["dav_down"].append(meter(lambda url=dav_url: dav_get(url))[0])
        if n < len(SIZES_MB):  # the first round: the server's peak after each size, growing
            walls["peak_after"].append(peak())
    return walls


def listing_child(count: int, requests_n: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.collaboration import services
    from samdrift.core.actor import SYSTEM
    from samdrift.core.files.services import store
    from samdrift.core.tenancy import LOGIN_SESSION_KEY

    world = _world()
    actor = actor_for_user(world["user"], loa_rank=3)
    workspace = services.workspace_create(actor=actor, name="Bänk", classification=0)
    folder = services.folder_create(actor=actor, workspace_id=workspace.id, name="Diarium")
    import io

    stored = store(io.BytesIO(b"x"), "x.txt", "text/plain", actor=SYSTEM,
                   owner_org_id=workspace.owner_org_id)  # fmt: skip
    client = Client()
    client.force_login(world["user"])
    session = client.session
    session[LOGIN_SESSION_KEY] = {"user_id": world["user"].pk, "rank": 3}
    session.save()
    url = f"/collaboration/{workspace.id}/?folder={folder.id}"
    rng = random.Random(7)

    def insert(first: int, last: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO collaboration_document (workspace_id, folder_id, name, classification,"
                " created_at, updated_at) VALUES (%s, %s, %s, 0, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)",
                [(workspace.id, folder.id, f"Handling {n:06d} {rng.randrange(10**6):06d}.txt")
                 for n in range(first, last)],
            )  # fmt: skip
            cursor.execute(
                "INSERT INTO collaboration_version (document_id, number, file_id, size, sha256,"
                " content_type, preview_state, created_at) SELECT id, 1, %s, 1, %s, 'text/plain', '',"
                " CURRENT_TIMESTAMP FROM collaboration_document WHERE id NOT IN"
                " (SELECT document_id FROM collaboration_version)",
                [stored.id.hex if hasattr(stored.id, "hex") else stored.id, stored.sha256],
            )
        connection.cursor().execute("ANALYZE")

    def page_queries(page: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}&page={page}")
        assert response.status_code == 200, response.status_code
        return len(queries)

    def measure(pages: int) -> dict[str, Any]:
        first, deep, bare = [], [], []
        for _warm in range(5):  # templates, the session, SQLite's page cache
            client.get(url)
        with connection.cursor() as cursor:
            for n in range(requests_n):
                start = time.perf_counter()
                response = client.get(url)
                first.append(1000 * (time.perf_counter() - start))
                assert response.status_code == 200
                page = rng.randrange(1, pages + 1)
                start = time.perf_counter()
                client.get(f"{url}&page={page}")
                deep.append(1000 * (time.perf_counter() - start))
                start = time.perf_counter()
                cursor.execute(
                    "SELECT id, name, classification, locked_by_id, updated_at FROM"
                    " collaboration_document WHERE workspace_id = %s AND folder_id = %s AND"
                    " trashed_at IS NULL ORDER BY name, id LIMIT 50 OFFSET %s",
                    [workspace.id, folder.id, 50 * (n % pages)],
                )
                cursor.fetchall()
                bare.append(1000 * (time.perf_counter() - start))
        return {"first": first, "deep": deep, "bare": bare}

    figures: dict[str, Any] = {"docs": count}
    insert(0, 1_000)
    figures["queries_small"] = page_queries(1)
    figures["small"] = measure(10)["first"]  # the same page at 1,000 documents
    insert(1_000, count)
    figures["queries_large"] = page_queries(1)
    figures["queries_large_deep"] = page_queries(count // 200)
    if os.environ.get("BENCH_LISTING_PROFILE"):  # the slowest statements of one page, to stderr
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
            print(q["time"], q["sql"][:300], file=sys.stderr)
    figures.update(measure(max(count // 50, 1)))
    figures["load"] = os.getloadavg()[0]
    print(json.dumps(figures))


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def listing(count: int, requests_n: int) -> tuple[bool, list[str]]:
    with tempfile.TemporaryDirectory(prefix="bench-listing-") as tmp:
        env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{Path(tmp) / 'db.sqlite3'}",
            DJANGO_SETTINGS_MODULE="config.settings.test",
            SAMDRIFT_LOG_LEVEL="ERROR",
        )
        result = subprocess.run(
            [sys.executable, __file__, "--listing-child", str(count), str(requests_n)],
            env=env, cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if result.returncode != 0:
        return False, [f"listing: failed\n{result.stderr[-3000:]}"]
    f = json.loads(result.stdout.strip().splitlines()[-1])
    lines = [f"listing: one folder of {f['docs']:,} documents, the workspace page (50 a page), "
             f"{requests_n} requests each, SQLite"]  # fmt: skip
    ok = True
    small = f.pop("small")
    lines.append(
        f"  at 1,000     p50 {statistics.median(small):6.1f} ms  p95 {_p(small, 0.95):6.1f} ms  "
        "(the same first page before the folder grew)"
    )
    for name, label in (("first", "first page"), ("deep", "random page"), ("bare", "bare SQL")):
        values = f[name]
        p95 = _p(values, 0.95)
        verdict = ""
        if name != "bare":
            ok &= p95 < P95_MS
            verdict = f"  ratio p95 to bare {p95 / _p(f['bare'], 0.95):.1f}  {'PASS' if p95 < P95_MS else 'FAIL'}"  # fmt: skip
        lines.append(
            f"  {label:12s} p50 {statistics.median(values):6.1f} ms  p95 {p95:6.1f} ms  "
            f"max {max(values):6.1f} ms{verdict}"
        )
    same = f["queries_small"] == f["queries_large"] == f["queries_large_deep"]
    ok &= same
    lines.append(
        f"  queries per page: {f['queries_small']} at 1,000, {f['queries_large']} at "
        f"{f['docs']:,} (deep page {f['queries_large_deep']}) {'PASS' if same else 'FAIL'}"
    )
    lines.append(f"  load average at end {f['load']:.2f}")
    return ok, lines


def main() -> int:
    parts = os.environ.get("BENCH_DOCUMENTS_PARTS", "transfer,listing").split(",")
    print(f"bench-documents (load average at start {os.getloadavg()[0]:.2f})")
    ok = True
    if "listing" in parts:
        done, lines = listing(
            int(os.environ.get("BENCH_LISTING_DOCS", "100000")),
            int(os.environ.get("BENCH_LISTING_REQUESTS", "200")),
        )
        ok &= done
        print("\n".join(lines), flush=True)
    if "transfer" in parts:
        done, lines = transfer(int(os.environ.get("BENCH_DOCUMENTS_MB", "1024")))
        ok &= done
        print("\n".join(lines), flush=True)
    print(f"floors: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--transfer-setup"]:
        transfer_setup_child()
    elif sys.argv[1:2] == ["--listing-child"]:
        listing_child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(main())
