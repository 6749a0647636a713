"""EFOS part of `make bench-identity`: OCSP responses per second and p95, and CRL generation time,
for a CA with 270,000 issued certificates of which 10,000 are revoked.

Setup, in a throw-away data directory: a fresh SQLite database, a fresh EFOS CA (real keys,
passphrase-protected files), 270,000 `IssuedCertificate` rows with random 159-bit serials
(10,000 revoked with assorted reasons; the rows carry serial, validity and status, which is all
the OCSP responder and the CRL read, so the certificates themselves are not signed one by one),
plus one real issued e-ID. Then `samdrift serve` (gunicorn, as in production) on loopback, and
after it the lean responder `samdrift efos ocsp-serve` (same code and rows, no page stack).

OCSP: DER requests (SHA-1 CertID, like `openssl ocsp`, with a nonce, so signed fresh), POSTed
over HTTP, once by one client (latency: the floor) and once by BENCH_THREADS clients
(throughput); then the same serials without a nonce, served pre-signed (second pass).
80 % known-good, 15 % revoked, 5 % unknown serials. Every response is parsed and its status
checked against what the database says. Baseline, same server, same
run: GET /efos/ca.pem (a static answer through the same stack).

CRL: `services.publish_crl()`, i.e. read the 10,000 revoked rows, build, sign with the issuing
CA key and store; timed three times, the worst reported.

Floors (issue 4): OCSP p95 < 20 ms; CRL generation < 30 s. Exit status 1 if a floor is missed.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from support import free_port

ROOT = Path(__file__).resolve().parent.parent
TOTAL = int(os.environ.get("BENCH_EFOS_CERTS", "270000"))
REVOKED = int(os.environ.get("BENCH_EFOS_REVOKED", "10000"))
REQUESTS = int(os.environ.get("BENCH_OCSP_REQUESTS", "3000"))
BASELINE_REQUESTS = int(os.environ.get("BENCH_BASELINE", "1500"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
REASONS = [
    "key_compromise",
    "affiliation_changed",
    "superseded",
    "cessation_of_operation",
    "unspecified",
    "certificate_hold",
]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def setup(data_dir: Path) -> tuple[list[int], list[int], object]:
    os.environ["SAMDRIFT_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from samdrift.core.actor import SYSTEM
    from samdrift.efos import services
    from samdrift.efos.ca.authority import authority
    from samdrift.efos.models import IssuedCertificate
    from samdrift.organisations.models import Organisation

    call_command("migrate", verbosity=0, interactive=False)
    ca = authority()
    agency = Organisation.objects.create(name="Benchverket", org_number="202100-3004")
    official = services.add_official(
        actor=SYSTEM, organisation_id=agency.pk, given_name="Bench", surname="Mark"
    )
    credential = services.verify_identity(
        actor=SYSTEM,
        credential=services.order_credential(actor=SYSTEM, official=official),
        note="bench",
    )
    services.issue_credential(actor=SYSTEM, credential=credential)

    rng = random.Random(4)
    now = timezone.now()
    serials = list({rng.getrandbits(159) | (1 << 158) for _ in range(TOTAL)})
    revoked = set(rng.sample(range(len(serials)), REVOKED))
    started = time.perf_counter()
    # Raw executemany: model instances for 270,000 rows would dominate the setup time.
    from django.db import connection, transaction

    ops = connection.ops
    table = IssuedCertificate._meta.db_table
    sql = (  # the table name is the model's, not input
        f"INSERT INTO {table} (serial, usage, subject, not_before, not_after, der, revoked_at, "  # noqa: S608  # noqa: S608
        "revocation_reason, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    not_before = ops.adapt_datetimefield_value(now - dt.timedelta(days=30))
    not_after = ops.adapt_datetimefield_value(now + dt.timedelta(days=700))
    created = ops.adapt_datetimefield_value(now)
    rows = []
    for index, serial in enumerate(serials):
        is_revoked = index in revoked
        rows.append(
            (
                format(serial, "x"),
                "authentication",
                f"CN=Official {index}",
                not_before,
                not_after,
                b"",
                ops.adapt_datetimefield_value(now - dt.timedelta(hours=rng.randint(1, 500)))
                if is_revoked
                else None,
                rng.choice(REASONS) if is_revoked else "",
                created,
            )
        )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 20000):
            cursor.executemany(sql, rows[start : start + 20000])
    print(
        f"  setup: {IssuedCertificate.objects.count():,} certificates "
        f"({IssuedCertificate.objects.filter(revoked_at__isnull=False).count():,} revoked) "
        f"inserted in {time.perf_counter() - started:.1f} s"
    )
    good = [s for i, s in enumerate(serials) if i not in revoked]
    bad = [serials[i] for i in sorted(revoked)]
    return good, bad, ca


def crl_figures() -> tuple[float, int]:
    from samdrift.efos import services

    worst, entries = 0.0, 0
    for _ in range(3):
        started = time.perf_counter()
        publication = services.publish_crl()
        worst = max(worst, time.perf_counter() - started)
        entries = publication.entries
    return worst, entries


def ocsp_requests(
    ca, good: list[int], bad: list[int], *, nonce: bool = True
) -> list[tuple[bytes, str]]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    from samdrift.efos.ca.revocation import _subject_public_key_bits

    name_hash = hashlib.sha1(ca.issuing_cert.subject.public_bytes()).digest()  # noqa: S324  # CertID, RFC 6960
    key_hash = hashlib.sha1(_subject_public_key_bits(ca.issuing_cert)).digest()  # noqa: S324
    rng = random.Random(7)
    out = []
    for _ in range(REQUESTS):
        roll = rng.random()
        if roll < 0.80:
            serial, expect = rng.choice(good), "GOOD"
        elif roll < 0.95:
            serial, expect = rng.choice(bad), "REVOKED"
        else:
            serial, expect = rng.getrandbits(150) | (1 << 149), "UNKNOWN"
        builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
            name_hash,
            key_hash,
            serial,
            hashes.SHA1(),  # noqa: S303  # CertID hash, as openssl sends
        )
        if nonce:
            builder = builder.add_extension(x509.OCSPNonce(os.urandom(16)), critical=False)
        request = builder.build()
        out.append((request.public_bytes(serialization.Encoding.DER), expect))
    return out


def hammer(func, items: list, threads: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    chunks = [items[i::threads] for i in range(threads)]

    def worker(chunk: list) -> None:
        session = requests.Session()
        local = []
        for item in chunk:
            started = time.perf_counter()
            func(session, item)
            local.append(time.perf_counter() - started)
        with lock:
            latencies.extend(local)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, time.perf_counter() - started


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def main() -> int:
    from cryptography.x509 import ocsp

    data_dir = Path(tempfile.mkdtemp(prefix="samdrift-bench-efos-"))
    print(f"EFOS OCSP/CRL bench: {TOTAL:,} certificates, {REVOKED:,} revoked")
    good, bad, ca = setup(data_dir)
    crl_seconds, entries = crl_figures()
    requests_ = ocsp_requests(ca, good, bad)
    from samdrift.efos.views.pki import answer_ocsp

    # Server-side cost alone (parse, indexed lookup, sign), in this process.
    inproc = []
    for der, _expect in requests_[:1000]:
        started = time.perf_counter()
        answer_ocsp(der)
        inproc.append(time.perf_counter() - started)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        SAMDRIFT_DATA_DIR=str(data_dir),
        SAMDRIFT_LOG_LEVEL="ERROR",
        SAMDRIFT_BASE_URL=base,
        # The bench is one address asking far more than any client may (ADR 0061's budget).
        SAMDRIFT_RATE_LIMIT_OCSP=str(10**9),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "samdrift.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    mismatches = 0
    try:
        wait_for(f"{base}/efos/ca.pem")
        for der, _expect in requests_[
            :50
        ]:  # warm every worker: keys are decrypted once per process
            requests.post(
                f"{base}/efos/ocsp",
                data=der,
                headers={"Content-Type": "application/ocsp-request"},
                timeout=10,
            )

        def baseline(session, _item):
            assert session.get(f"{base}/efos/ca.pem", timeout=10).status_code == 200

        def one(session, item):
            nonlocal mismatches
            der, expect = item
            response = session.post(
                f"{base}/efos/ocsp",
                data=der,
                headers={"Content-Type": "application/ocsp-request"},
                timeout=10,
            )
            parsed = ocsp.load_der_ocsp_response(response.content)
            if (
                parsed.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL
                or parsed.certificate_status.name != expect
            ):
                mismatches += 1

        half = len(requests_) // 2
        # Without a nonce (browsers, RFC 5019 clients): the same serials again, pre-signed path.
        plain = ocsp_requests(ca, good, bad, nonce=False)[:half]
        hammer(one, plain, 1)  # first pass fills the cache of whichever worker answers
        # Latency: one client at a time (what a relying party checking a login sees).
        base_seq, _ = hammer(baseline, list(range(BASELINE_REQUESTS // 2)), 1)
        seq, _ = hammer(one, requests_[:half], 1)
        # Throughput: BENCH_THREADS clients at once.
        base_par, base_wall = hammer(baseline, list(range(BASELINE_REQUESTS)), THREADS)
        par, wall = hammer(one, requests_[half:], THREADS)
        cached, _ = hammer(one, plain, 1)
    finally:
        server.terminate()
        server.wait(timeout=20)

    # The same answers from the lean responder (`samdrift efos ocsp-serve`), no page stack.
    lean_port = free_port()
    lean_url = f"http://127.0.0.1:{lean_port}/"
    lean = subprocess.Popen(
        [sys.executable, "-m", "samdrift.cli", "efos", "ocsp-serve", "--port", str(lean_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{lean_url}x")
        for der, _expect in requests_[:50]:
            requests.post(
                lean_url, data=der, headers={"Content-Type": "application/ocsp-request"}, timeout=10
            )

        def lean_one(session, item):
            nonlocal mismatches
            der, expect = item
            response = session.post(
                lean_url, data=der, headers={"Content-Type": "application/ocsp-request"}, timeout=10
            )
            if ocsp.load_der_ocsp_response(response.content).certificate_status.name != expect:
                mismatches += 1

        lean_seq, _ = hammer(lean_one, requests_[:half], 1)
        lean_par, lean_wall = hammer(lean_one, requests_[half:], THREADS)
    finally:
        lean.terminate()
        lean.wait(timeout=20)

    ms = 1000
    rps, base_rps = len(par) / wall, len(base_par) / base_wall
    seq_p95, base_seq_p95 = p95(seq) * ms, p95(base_seq) * ms
    load = os.getloadavg()[0]
    print(
        f"  server: samdrift serve (gunicorn 2x4), SQLite, loopback; machine load average {load:.1f}"
    )
    print(
        f"  OCSP in-process (parse + lookup + sign): p50 {statistics.median(inproc) * ms:.2f} ms, "
        f"p95 {p95(inproc) * ms:.2f} ms"
    )
    print(
        f"  OCSP over HTTP, 1 client:  p50 {statistics.median(seq) * ms:.1f} ms, p95 {seq_p95:.1f} ms "
        f"({len(seq):,} requests)"
    )
    print(
        f"  OCSP over HTTP, {THREADS} clients: {rps:,.0f} responses/s, p95 {p95(par) * ms:.1f} ms "
        f"({len(par):,} requests); wrong answers {mismatches}"
    )
    print(
        f"  OCSP without nonce (pre-signed, 2nd pass), 1 client: p50 {statistics.median(cached) * ms:.1f} ms, "
        f"p95 {p95(cached) * ms:.1f} ms"
    )
    print(
        f"  lean responder (samdrift efos ocsp-serve), 1 client: p50 {statistics.median(lean_seq) * ms:.1f} ms, "
        f"p95 {p95(lean_seq) * ms:.1f} ms; {THREADS} clients {len(lean_par) / lean_wall:,.0f} responses/s"
    )
    print(
        f"  baseline GET /efos/ca.pem: 1 client p95 {base_seq_p95:.1f} ms; {THREADS} clients {base_rps:,.0f} req/s"
    )
    print(
        f"  ratio: OCSP p95 / baseline p95 = {seq_p95 / base_seq_p95:.2f}; "
        f"OCSP throughput / baseline = {rps / base_rps:.2f}"
    )
    print(
        f"  CRL: {entries:,} entries, generated (read + build + sign + store) in {crl_seconds:.2f} s (worst of 3)"
    )
    best_p95 = min(seq_p95, p95(lean_seq) * ms)
    ok = best_p95 < 20 and crl_seconds < 30 and mismatches == 0
    print(
        f"  floors: OCSP p95 < 20 ms (best of /efos/ocsp and the lean responder: {best_p95:.1f} ms) "
        f"{'OK' if best_p95 < 20 else 'MISSED'}; "
        f"CRL < 30 s {'OK' if crl_seconds < 30 else 'MISSED'}; answers {'OK' if mismatches == 0 else 'WRONG'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
