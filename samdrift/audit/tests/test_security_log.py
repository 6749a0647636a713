"""Issue 19 item 1: refused anonymous calls stay out of the permanent chain, are counted in the
security log per address, kind and window, pruned by age; public endpoints are rate-limited."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from samdrift.audit.models import AuditEvent, SecurityLogEntry

from .security_log import refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_budgets():
    cache.clear()
    yield
    cache.clear()


def test_2000_junk_ocsp_requests_add_no_audit_row_and_one_log_row(client, settings):
    settings.SAMDRIFT_PUBLIC_RATE_LIMITS = {
        "ocsp": (100_000, 3600),
        "tsa": (1, 60),
        "oidc": (1, 60),
    }
    events_before = AuditEvent.objects.count()
    for i in range(2000):
        junk = base64.urlsafe_b64encode(f"junk-{i}".encode()).decode()
        response = client.get(f"/efos/ocsp/{junk}", REMOTE_ADDR="192.0.2.7")
        assert response.status_code in (200, 400)
    assert AuditEvent.objects.count() == events_before
    # one row per address, kind and 10-minute window: 2 at most if the run straddles a boundary
    assert SecurityLogEntry.objects.count() <= 2
    assert refused("efos.refused.ocsp") == 2000
    entry = SecurityLogEntry.objects.first()
    assert entry is not None and entry.address == "192.0.2.7"
    assert "reason" in entry.detail


def test_each_address_is_counted_apart(client):
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.2"):
        client.post("/efos/ocsp", data=b"\x30\x03bad", content_type="application/ocsp-request",
                    REMOTE_ADDR=address)  # fmt: skip
    counts = dict(SecurityLogEntry.objects.values_list("address", "count"))
    assert counts == {"192.0.2.1": 1, "192.0.2.2": 2}
    assert not AuditEvent.objects.filter(action__startswith="efos.refused").exists()


def test_refused_token_and_callback_go_to_the_security_log(client):
    client.post("/efos/token", {"grant_type": "authorization_code"}, REMOTE_ADDR="192.0.2.9")
    client.get("/identity/callback/", {"state": "nope", "code": "x"}, REMOTE_ADDR="192.0.2.9")
    assert refused("efos.refused.token") == 1
    assert refused("identity.login_refused") == 1
    assert not AuditEvent.objects.filter(action__contains="refused").exists()


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/efos/ocsp/AAAA", "ocsp"), ("/efos/tsa", "tsa"), ("/efos/authorize", "oidc")],
)
def test_past_the_budget_the_answer_is_429_with_retry_after_in_both_languages(
    client, settings, path, kind
):
    settings.SAMDRIFT_PUBLIC_RATE_LIMITS = {"ocsp": (3, 60), "tsa": (3, 60), "oidc": (3, 60)}
    answers = [client.get(path, REMOTE_ADDR="198.51.100.4").status_code for _ in range(5)]
    assert 429 not in answers[:3]
    assert answers[3:] == [429, 429]
    refused_answer = client.get(path, REMOTE_ADDR="198.51.100.4")
    assert 1 <= int(refused_answer["Retry-After"]) <= 60
    body = refused_answer.json()
    assert body["code"] == "rate_limited"
    assert "Too many requests" in body["message_en"]
    assert "För många" in body["message_sv"]
    # another address still has its budget
    assert client.get(path, REMOTE_ADDR="198.51.100.5").status_code != 429


def test_pages_are_not_rate_limited(client, settings):
    settings.SAMDRIFT_PUBLIC_RATE_LIMITS = {"ocsp": (1, 60), "tsa": (1, 60), "oidc": (1, 60)}
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))


def test_prune_forgets_rows_past_retention(client, settings):
    settings.SAMDRIFT_SECURITY_LOG_RETENTION_DAYS = 30
    client.post("/efos/ocsp", data=b"\x30\x03bad", content_type="application/ocsp-request")
    old = SecurityLogEntry.objects.create(
        window_start=timezone.now() - dt.timedelta(days=40),
        address="192.0.2.50",
        kind="efos.refused.ocsp",
        count=7,
        first_at=timezone.now() - dt.timedelta(days=40),
        last_at=timezone.now() - dt.timedelta(days=40),
    )
    call_command("audit", "prune-security-log")
    assert not SecurityLogEntry.objects.filter(id=old.id).exists()
    assert SecurityLogEntry.objects.count() == 1


def test_the_lean_ocsp_responder_keeps_the_same_budget_and_log(settings, efos_ca):
    """`samdrift efos ocsp-serve` runs without Django's middleware: it applies both itself."""
    from samdrift.efos.ocsp_wsgi import application

    settings.SAMDRIFT_PUBLIC_RATE_LIMITS = {"ocsp": (3, 60), "tsa": (1, 60), "oidc": (1, 60)}
    statuses: list[str] = []

    def start_response(status, headers):
        statuses.append(status)

    for _ in range(5):
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/AAAA", "REMOTE_ADDR": "203.0.113.8"}
        b"".join(application(environ, start_response))
    assert statuses == ["200 OK"] * 3 + ["429 Too Many Requests"] * 2
    assert dict(SecurityLogEntry.objects.values_list("address", "count")) == {"203.0.113.8": 3}
    assert not AuditEvent.objects.filter(action__startswith="efos.refused").exists()
