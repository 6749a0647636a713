"""Prometheus Alertmanager's webhook (issue 16 item 4, ADR 0831).

The first tests post webhook messages through Django's test client (token, labels, idempotency);
the last runs a REAL Alertmanager (Debian's `prometheus-alertmanager`, installed by
`scripts/ensure-alertmanager.sh`) whose receiver is the live test server: an alert posted to
Alertmanager's own API opens an outage and an incident in samdrift, and resolving it there ends
both.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client

from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.core.notifications.testing import free_port
from samdrift.operations import services
from samdrift.operations.models import Incident, Outage

URL = "/api/v1/operations/alertmanager"
STARTS = "2026-12-03T08:00:00Z"


def _alert(status: str = "firing", **labels: str) -> dict:
    return {
        "status": status,
        "labels": {
            "alertname": "BaseDown",
            "samdrift_service": "BASE",
            "severity": "critical",
            **labels,
        },
        "annotations": {"summary": "BASE svarar inte"},
        "startsAt": STARTS,
        "endsAt": "2026-12-03T09:00:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "fingerprint": "a1b2c3d4e5f60708",
    }


def _post(token: str, *alerts: dict, language: str = "en"):
    client = Client()
    client.cookies["django_language"] = language
    body = {
        "version": "4",
        "status": alerts[0]["status"] if alerts else "firing",
        "alerts": list(alerts),
    }
    return client.post(
        URL,
        json.dumps(body),
        content_type="application/json",
        headers={"authorization": f"Bearer {token}"},
    )


@pytest.fixture
def token(ops) -> str:
    _row, secret = services.monitoring_token_create(
        actor=SYSTEM, provider_id=ops.fk.pk, name="prometheus"
    )
    return secret


def _state() -> tuple:
    return (
        list(Outage.objects.values()),
        list(Incident.objects.values("id", "state")),
        AuditEvent.objects.count(),
    )


def test_firing_critical_opens_outage_and_incident_once_and_resolved_ends_both(ops, token):
    first = _post(token, _alert())
    assert first.status_code == 200, first.content
    assert first.json() == {"opened": 1, "resolved": 0, "unchanged": 0}
    again = _post(token, _alert())  # Alertmanager's repeat: nothing changes
    assert again.json() == {"opened": 0, "resolved": 0, "unchanged": 1}
    outage = Outage.objects.get()
    assert (outage.cause, outage.level, outage.ended_at) == ("monitoring", "outage", None)
    assert outage.started_at == dt.datetime(2026, 12, 3, 8, tzinfo=dt.UTC)
    incident = Incident.objects.get()
    assert (incident.id, incident.priority, incident.state) == (outage.incident_id, 1, "new")
    resolved = _post(token, _alert("resolved"))
    assert resolved.json() == {"opened": 0, "resolved": 1, "unchanged": 0}
    outage.refresh_from_db()
    incident.refresh_from_db()
    assert outage.ended_at == dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)
    assert incident.state == "resolved"
    assert _post(token, _alert("resolved")).json()["unchanged"] == 1


def test_warning_is_a_degraded_service_without_incident(ops, token):
    assert _post(token, _alert(severity="warning")).status_code == 200
    assert Outage.objects.get().level == "degraded" and not Incident.objects.exists()


@pytest.mark.parametrize(
    ("labels", "language", "text"),
    [
        ({"samdrift_team": "x"}, "en", "unknown label samdrift_team"),
        ({"samdrift_team": "x"}, "sv", "okänd etikett samdrift_team"),
        ({"samdrift_service": "OWN"}, "en", "no service with the code “OWN” is run by this"),
        (
            {"samdrift_service": ""},
            "en",
            "the label samdrift_service (the service code) is missing",
        ),
        ({"severity": "page"}, "sv", "etiketten severity är “page”"),
    ],
)
def test_bad_labels_refuse_the_whole_delivery(ops, token, labels, language, text):
    before = _state()
    answer = _post(token, _alert(samdrift_service="APP"), _alert(**labels), language=language)
    assert answer.status_code == 422
    assert text in answer.json()["message"]
    assert "2" in answer.json()["message"]  # which alert
    assert _state() == before


def test_a_wrong_token_or_a_person_is_refused(ops, token):
    # Another provider's token cannot touch FK's services.
    _row, theirs = services.monitoring_token_create(
        actor=SYSTEM, provider_id=ops.second.pk, name="sitssam"
    )
    before = _state()
    for header in ("Bearer nope", "Bearer ", "", f"Basic {token}"):
        client = Client()
        answer = client.post(
            URL,
            json.dumps({"alerts": [_alert()]}),
            content_type="application/json",
            headers={"authorization": header} if header else {},
        )
        assert answer.status_code == 401, header
        assert answer.json()["code"] == "unauthenticated"
    person = Client()
    person.force_login(ops.users["operator"])
    assert (
        person.post(URL, {"alerts": [_alert()]}, content_type="application/json").status_code == 401
    )
    assert _post(theirs, _alert()).status_code == 422
    assert _state() == before


# --- a real Alertmanager ---------------------------------------------------------------------


@pytest.fixture
def alertmanager(live_server, token, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
    if not Path(binary).exists():
        pytest.fail("prometheus-alertmanager is missing: run scripts/ensure-alertmanager.sh")
    port = free_port()
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        json.dumps(  # YAML is a superset of JSON
            {
                "route": {
                    "receiver": "samdrift",
                    "group_by": ["..."],
                    "group_wait": "0s",
                    "group_interval": "1s",
                    "repeat_interval": "1h",
                },
                "receivers": [
                    {
                        "name": "samdrift",
                        "webhook_configs": [
                            {
                                "url": f"{live_server.url}{URL}",
                                "send_resolved": True,
                                "http_config": {
                                    "authorization": {"type": "Bearer", "credentials": token}
                                },
                            }
                        ],
                    }
                ],
            }
        )
    )
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "alertmanager.log", "wb"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: urllib.request.urlopen(f"{base}/-/ready", timeout=1).status == 200)  # noqa: S310
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait(check, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except (OSError, DatabaseError):  # the live server may hold the table for a moment
            pass
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.2)


def _to_alertmanager(base: str, alert: dict) -> None:
    request = urllib.request.Request(  # noqa: S310 - a local http URL
        f"{base}/api/v2/alerts",
        data=json.dumps([alert]).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    assert urllib.request.urlopen(request, timeout=5).status == 200  # noqa: S310 - local


def test_a_real_alertmanager_opens_and_resolves(ops, alertmanager):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    alert = {
        "labels": {"alertname": "BaseDown", "samdrift_service": "BASE", "severity": "critical"},
        "annotations": {"summary": "BASE svarar inte"},
        "startsAt": now.isoformat().replace("+00:00", "Z"),
    }
    _to_alertmanager(alertmanager, alert)
    # The live server's transaction opens both; wait for the last thing it writes.
    _wait(lambda: Outage.objects.filter(cause="monitoring", incident__isnull=False).exists())
    outage = Outage.objects.get()
    incident = Incident.objects.get()
    assert outage.incident_id == incident.id and outage.ended_at is None
    assert incident.title == "BASE svarar inte" and incident.priority == 1
    _to_alertmanager(alertmanager, {**alert, "endsAt": alert["startsAt"]})
    # On SQLite the live server shares the test's database connection, so the test could read
    # between the two writes of one delivery: wait for the incident, written last.
    _wait(lambda: Incident.objects.filter(state="resolved").exists())
    outage.refresh_from_db()
    assert outage.ended_at is not None
    assert Outage.objects.count() == 1 and Incident.objects.count() == 1


def test_the_cli_prints_a_token_that_the_webhook_takes(ops):
    out = io.StringIO()
    call_command("operations", "monitoring-token", str(ops.fk.pk), "prometheus", stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("sdm_")
    assert _post(secret, _alert(severity="warning")).status_code == 200
