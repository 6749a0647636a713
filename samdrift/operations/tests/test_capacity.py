"""Capacity figures (issue 16 item 4, ADR 0846): trend and headroom from samples, a CSV import
that is all or nothing, the provider's staff only; and a REAL Prometheus (Debian's package,
installed by scripts/ensure-alertmanager.sh) queried by the hourly schedule's service."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.operations import capacity, services
from samdrift.operations.calendars import STOCKHOLM
from samdrift.operations.headroom import figures, parse_csv
from samdrift.operations.models import CapacityMetric, CapacitySample

TODAY = dt.date(2026, 11, 30)
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=STOCKHOLM)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=STOCKHOLM)


def test_figures_peak_trend_headroom_and_growth():
    # Daily peaks rising by 10 a day over the last 90 days, with a low sample each day too.
    samples = []
    for n in range(90):
        day = TODAY - dt.timedelta(days=89 - n)
        samples += [(at(day, 10), Decimal(1000 + 10 * n)), (at(day, 3), Decimal(5))]
    samples.append((at(dt.date(2025, 6, 1)), Decimal(900)))  # last year's peak
    got = figures(samples, capacity=Decimal(3000), today=TODAY)
    assert got.latest == Decimal(1890) and got.latest_at == at(TODAY, 10)
    assert got.peak_30d == Decimal(1890)
    assert got.headroom == Decimal(1110) and got.headroom_share == pytest.approx(0.37)
    assert got.trend_per_30d == pytest.approx(300.0)
    assert got.full_on == TODAY + dt.timedelta(days=111)  # 1110 left at 10 a day
    assert got.growth(2026) == pytest.approx(1890 / 900)
    assert got.monthly_peaks[-1] == ("2026-11", Decimal(1890))
    unbounded = figures(samples, capacity=None, today=TODAY)
    assert unbounded.headroom is None and unbounded.full_on is None
    empty = figures([], capacity=Decimal(10), today=TODAY)
    assert empty.peak_30d is None and empty.headroom is None and empty.trend_per_30d is None


def test_the_csv_names_every_bad_line():
    text = (
        "service;figure;time;value\n"
        "base;users;2026-11-30 08:00;120\n"
        "BASE;users;2026-11-30 08:00;130\n"  # the same moment again
        "BASE;seats;2026-11-30 09:00;1\n"
        "BASE;users;i morgon;1\n"
        "BASE;users;2026-11-30 09:00;-4\n"
        "BASE;users;2027-01-01 09:00;4\n"
        "BASE;users;2026-11-30 10:00\n"
    )
    rows, errors = parse_csv(text, tz=STOCKHOLM, now=NOW)
    assert [r.line for r in rows] == [2]
    assert [en.split(":")[0] for _sv, en in errors] == [f"Line {n}" for n in range(3, 9)]


@pytest.fixture
def fk_operator(ops):
    return ops.actor("operator")


def test_import_is_all_or_nothing_and_idempotent(ops, fk_operator):
    good = "BASE;users;2026-11-30 08:00;120\nAPP;licences;2026-11-30 08:00;40\n"
    with pytest.raises(ValidationFailed) as refused:
        services.capacity_import(actor=fk_operator, text=good + "OWN;users;2026-11-30 08:00;1\n")
    assert "Line 3: no service you record figures for" in " ".join(refused.value.errors["text"])
    assert CapacitySample.objects.count() == 0 and CapacityMetric.objects.count() == 0
    assert services.capacity_import(actor=fk_operator, text=good, now=NOW) == 2
    assert (
        services.capacity_import(actor=fk_operator, text=good.replace("120", "125"), now=NOW) == 2
    )
    assert CapacitySample.objects.count() == 2
    assert CapacitySample.objects.get(metric__kind="users").value == Decimal("125.00")
    assert AuditEvent.objects.filter(action="operations.capacity_import").count() == 2
    for name in ("finance", "a_member", "second_admin"):
        with pytest.raises(ValidationFailed):
            services.capacity_import(actor=ops.actor(name), text=good, now=NOW)


def test_metric_capacity_is_checked(ops, fk_operator):
    metric = services.capacity_metric_set(
        actor=fk_operator, service_code="BASE", kind="licences", capacity="500"
    )
    assert metric.capacity == Decimal("500.00")
    for bad in ("0", "-3", "många"):
        with pytest.raises(ValidationFailed):
            services.capacity_metric_set(
                actor=fk_operator, service_code="BASE", kind="licences", capacity=bad
            )
    with pytest.raises(ValidationFailed):
        services.capacity_metric_set(actor=fk_operator, service_code="BASE", kind="seats")
    with pytest.raises(NotFound):
        services.capacity_metric_set(
            actor=ops.actor("second_admin"), service_code="BASE", kind="users"
        )
    metric.refresh_from_db()
    assert metric.capacity == Decimal("500.00")


def test_only_the_providers_staff_read_it(ops, fk_operator):
    services.capacity_import(actor=fk_operator, text="BASE;users;2026-11-30 08:00;120", now=NOW)
    assert [
        r.metric.service.code for r in capacity.capacity_overview(actor=ops.actor("finance"))
    ] == ["BASE"]
    for name in ("a_member", "second_admin", "c_member"):
        assert capacity.capacity_overview(actor=ops.actor(name)) == []
        with pytest.raises(NotFound):
            capacity.capacity_service(actor=ops.actor(name), code="BASE")


def test_pages_api_and_cli(ops, tmp_path):
    client = Client()
    client.force_login(ops.users["operator"])
    refused = client.post("/operations/capacity/", {"text": "BASE;users;nu;1"})
    assert refused.status_code == 422 and CapacitySample.objects.count() == 0
    text = "\n".join(
        f"BASE;users;{(dt.date(2026, 11, 1) + dt.timedelta(days=n)).isoformat()} 09:00;{100 + n}"
        for n in range(20)
    )
    assert client.post("/operations/capacity/", {"text": text}).status_code == 302
    assert (
        client.post(
            "/operations/capacity/BASE/",
            {"kind": "users", "capacity": "150", "prometheus_query": ""},
        ).status_code
        == 302
    )
    page = client.get("/operations/capacity/BASE/").content.decode()
    assert "2026-11" in page and "<svg" in page
    api = client.get("/api/v1/operations/capacity").json()
    assert api["count"] == 1
    assert api["items"][0]["service"] == "BASE" and api["items"][0]["capacity"] == "150.00"
    bad = client.post(
        "/api/v1/operations/capacity/samples",
        {"text": "BASE;users;x;1"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "Line 1" in bad.json()["message_en"]
    outsider = Client()
    outsider.force_login(ops.users["a_member"])
    assert outsider.get("/operations/capacity/BASE/").status_code == 404
    assert outsider.get("/api/v1/operations/capacity").json()["count"] == 0
    source = tmp_path / "figures.csv"
    source.write_text("APP;visits;2026-11-30 08:00;5000\n", encoding="utf-8")
    out = StringIO()
    call_command("operations", "capacity", str(source), stdout=out)
    assert out.getvalue().strip() == "1"
    listing = StringIO()
    call_command("operations", "capacity", stdout=listing)
    assert "APP\tvisits" in listing.getvalue()


# --- a real Prometheus ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[str]:
    """Prometheus scraping itself every second, on a free port and its own data folder."""
    binary = shutil.which("prometheus") or "/usr/bin/prometheus"
    if not Path(binary).exists():
        pytest.fail("prometheus is missing: run scripts/ensure-alertmanager.sh")
    port = _free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"scrape_configs: [{{job_name: self, static_configs: [{{targets: ['127.0.0.1:{port}']}}]}}]\n"
    )
    log = open(tmp_path / "prometheus.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                url = f"{base}/api/v1/query?query=up"
                with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (http)
                    if b'"value"' in answer.read():
                        break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail((tmp_path / "prometheus.log").read_text()[-2000:])
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.mark.engine
def test_figures_are_read_from_a_real_prometheus(ops, fk_operator, prometheus, settings):
    settings.OPERATIONS_PROMETHEUS_URL = prometheus
    services.capacity_metric_set(
        actor=fk_operator, service_code="BASE", kind="users", prometheus_query="count(up)"
    )
    services.capacity_metric_set(
        actor=fk_operator, service_code="APP", kind="visits", prometheus_query="sum(rate(nope["
    )
    got = services.capacity_scrape(now=NOW)
    assert got == {"stored": 1, "failed": 1}  # the broken query is skipped, not fatal
    sample = CapacitySample.objects.get()
    assert sample.metric.kind == "users" and sample.value == Decimal("1.00")
    assert sample.source == "prometheus"
    assert services.capacity_scrape(now=NOW) == {"stored": 1, "failed": 1}
    assert CapacitySample.objects.count() == 1  # the same moment replaces, never duplicates
