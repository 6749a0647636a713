"""`make bench-identity`: complete OIDC code-flow logins per second through samdrift as RP.

Starts, on loopback and in a throw-away data directory:
  * samdrift itself (`samdrift serve`, gunicorn) on a fresh SQLite database with one agency and
    the development provider trusted;
  * the development OpenID provider (`python -m samdrift.identity.devidp`) as its own process.

One login is everything a browser does: GET the login page (CSRF cookie) → POST to start the
login (state, nonce, PKCE stored) → the provider's authorize POST → GET samdrift's callback, where
samdrift exchanges the code with a private_key_jwt assertion, fetches nothing else (discovery and
JWKS are cached), verifies the ES256 ID token, maps the official to the agency, writes the audit
record and logs them in → GET the page they came for. Each login uses a fresh browser session.

Baseline, measured in the same run against the same server: GET of a trivial page
(/healthz, no database). The ratio says how many trivial requests one login costs.

Then runs bench/bench_identity_efos.py (OCSP and CRL figures) when it exists (BENCH_SKIP_EFOS=1
skips it). Sizes: BENCH_LOGINS, BENCH_BASELINE, BENCH_THREADS.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import requests
from support import free_port, production_env, use_production_settings

ROOT = Path(__file__).resolve().parent.parent
LOGINS = int(os.environ.get("BENCH_LOGINS", "204"))
BASELINE_REQUESTS = int(os.environ.get("BENCH_BASELINE", "600"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
ORG_NUMBER = "202100-3004"


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


def prepare(data_dir: Path, idp_issuer: str) -> None:
    """Fresh database with one agency and the development provider trusted."""
    use_production_settings(data_dir, base_url=os.environ["SAMDRIFT_BASE_URL"])
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from samdrift.identity import oidc
    from samdrift.identity.models import IdentityProvider
    from samdrift.organisations.models import Organisation

    Organisation.objects.create(name="Benchverket", org_number=ORG_NUMBER)
    IdentityProvider.objects.create(
        slug="dev", name="Dev", issuer=idp_issuer, client_id="bench", is_development=True
    )
    (data_dir / "rp-jwks.json").write_text(json.dumps(oidc.rp_jwks()), encoding="utf-8")


def login_once(base: str, idp: str, uid: str) -> None:
    browser = requests.Session()
    page = browser.get(f"{base}/identity/login/?level=3&next=/identity/session/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    start = browser.post(
        f"{base}/identity/login/dev/",
        data={"csrfmiddlewaretoken": token.group(1), "level": "3", "next": "/identity/session/"},
        headers={"Referer": f"{base}/identity/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert start.status_code == 302, start.status_code
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start.headers["Location"]).query))
    answer = requests.post(
        f"{idp}/authorize",
        data={
            **params,
            "official": f"{uid}@{ORG_NUMBER.replace('-', '')}",
            "acr": "http://id.elegnamnden.se/loa/1.0/loa3",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.status_code
    back = browser.get(answer.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302, (back.status_code, back.text[:300])
    assert back.headers["Location"] == "/identity/session/", back.headers["Location"]
    landed = browser.get(base + back.headers["Location"], timeout=10)
    assert landed.status_code == 200, landed.status_code


def run_parallel(
    count: int, threads: int, work: Callable[[int], object]
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(count))

    def worker() -> None:
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            began = time.perf_counter()
            work(index)
            with lock:
                latencies.append(time.perf_counter() - began)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started, latencies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) >= 20 else max(values)


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="samdrift-bench-identity-"))
    rp_port, idp_port = free_port(), free_port()
    base, idp = f"http://127.0.0.1:{rp_port}", f"http://127.0.0.1:{idp_port}"
    os.environ["SAMDRIFT_BASE_URL"] = base  # production settings refuse to start without it
    prepare(data_dir, idp)
    officials = data_dir / "officials.json"
    officials.write_text(
        json.dumps(
            [
                {
                    "uid": f"o{n}",
                    "given_name": "Bench",
                    "family_name": f"Official {n}",
                    "org_number": ORG_NUMBER,
                    "org_name": "Benchverket",
                }
                for n in range(LOGINS)
            ]
        ),
        encoding="utf-8",
    )
    env = production_env(
        data_dir,
        base_url=os.environ["SAMDRIFT_BASE_URL"],
        SAMDRIFT_LOG_LEVEL="ERROR",
        # One address logging in far faster than any person (ADR 0061's budget).
        SAMDRIFT_RATE_LIMIT_OIDC=str(10**9),
    )
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "samdrift.identity.devidp",
                "--port",
                str(idp_port),
                "--client-id",
                "bench",
                "--redirect-uri",
                f"{base}/identity/callback/",
                "--client-jwks",
                str(data_dir / "rp-jwks.json"),
                "--officials",
                str(officials),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "samdrift.cli", "serve", "--port", str(rp_port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        wait_for(f"{idp}/.well-known/openid-configuration")
        wait_for(f"{base}/identity/jwks.json")
        # Warm-up: workers import everything, discovery and JWKS get cached.
        for n in range(4):
            login_once(base, idp, f"o{n}")
            requests.get(f"{base}/identity/jwks.json", timeout=10)

        print("bench-identity: OIDC code-flow logins through samdrift as relying party")
        print(f"  load average at start: {os.getloadavg()[0]:.2f}")
        print(
            "  setup: gunicorn (samdrift serve, 2 workers x 4 threads), SQLite, dev-idp process;"
            " every login in a fresh browser session (5 requests to samdrift, 1 to the provider,"
            " plus samdrift's token request)"
        )
        next_official = iter(range(4, LOGINS))
        for threads in (1, THREADS):
            session = requests.Session()
            base_time, base_lat = run_parallel(
                BASELINE_REQUESTS // 2,
                threads,
                lambda _i, s=session: s.get(f"{base}/healthz", timeout=10).raise_for_status(),
            )
            count = (LOGINS - 4) // 2
            officials_now = [next(next_official) for _ in range(count)]
            login_time, login_lat = run_parallel(
                count, threads, lambda i, o=officials_now: login_once(base, idp, f"o{o[i]}")
            )
            baseline_rate = (BASELINE_REQUESTS // 2) / base_time
            login_rate = count / login_time
            print(f"  {threads} client(s):")
            print(
                f"    baseline GET /healthz:           {baseline_rate:7.1f} req/s"
                f"  p50 {statistics.median(base_lat) * 1000:6.1f} ms"
                f"  p95 {p95(base_lat) * 1000:6.1f} ms"
            )
            print(
                f"    complete logins ({count}):{'':>10}{login_rate:7.1f} logins/s"
                f"  p50 {statistics.median(login_lat) * 1000:6.1f} ms"
                f"  p95 {p95(login_lat) * 1000:6.1f} ms"
            )
            print(
                f"    ratio: one login costs {baseline_rate / login_rate:.1f} trivial requests"
                f" (login rate = {login_rate / baseline_rate:.3f} x baseline)"
            )
        print(f"  load average at end: {os.getloadavg()[0]:.2f}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    efos = ROOT / "bench" / "bench_identity_efos.py"
    if efos.exists() and os.environ.get("BENCH_SKIP_EFOS") != "1":
        print()
        sys.stdout.flush()
        result = subprocess.run([sys.executable, str(efos)], cwd=ROOT, check=False)
        if result.returncode:
            raise SystemExit(result.returncode)


if __name__ == "__main__":
    main()
