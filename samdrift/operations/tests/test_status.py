"""Status pages (issue 16 item 4, ADR 0832): a public summary per service without any agency's
data, the details after login for the agencies that use the service, and the live topic that
tells the page an outage changed."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from samdrift.core import live
from samdrift.operations import services
from samdrift.operations.models import Outage


def client_for(ops, name: str | None, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    if name:
        client.force_login(ops.users[name])
    return client


def _outage(ops, service, level="outage", ended=False) -> Outage:
    now = timezone.now()
    return Outage.objects.create(
        service=service,
        provider=service.provider,
        level=level,
        cause="manual",
        summary=f"Myndighet B:s inloggning {service.code}",
        started_at=now - dt.timedelta(hours=2),
        ended_at=now - dt.timedelta(hours=1) if ended else None,
    )


def test_public_summary_shows_status_without_texts(ops):
    _outage(ops, ops.app, level="degraded")
    _outage(ops, ops.base)
    _outage(ops, ops.base, ended=True)
    anonymous = client_for(ops, None)
    listing = anonymous.get("/operations/status/").content.decode()
    assert "BASE" in listing and "Outage" in listing and "Degraded" in listing
    page = anonymous.get("/operations/status/BASE/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Status now: <strong>Outage</strong>" in text
    assert "Myndighet" not in text  # no outage text, no agency name
    assert "Log in to see the details" in text and "opsstatus" not in text
    sv = client_for(ops, None, "sv").get("/operations/status/APP/").content.decode()
    assert "Begränsad drift" in sv
    ops.base.lifecycle = "draft"
    ops.base.save()
    assert anonymous.get("/operations/status/BASE/").status_code == 404
    assert anonymous.get("/operations/status/NOPE/").status_code == 404


def test_details_after_login_for_own_services_only(ops):
    _outage(ops, ops.app)
    a = client_for(ops, "a_member").get("/operations/status/APP/").content.decode()
    assert "Myndighet B:s inloggning APP" in a  # the outage's text, for a user of APP
    assert f'data-live-topic="opsstatus:{ops.a.id}"' in a
    assert "Myndighet A" in a  # its own availability row
    b = client_for(ops, "b_member").get("/operations/status/APP/").content.decode()
    assert "inloggning" not in b and "Myndighet A" not in b and "opsstatus" not in b
    staff = client_for(ops, "operator").get("/operations/status/APP/").content.decode()
    assert f'data-live-topic="opsstatus:{ops.fk.id}"' in staff and "inloggning" in staff


def test_live_topic_follows_the_pages_rules_and_outages_publish(ops, monkeypatch):
    assert live.authorised(ops.actor("a_member"), f"opsstatus:{ops.a.id}") is True
    assert live.authorised(ops.actor("a_member"), f"opsstatus:{ops.b.id}") is False
    assert live.authorised(ops.actor("operator"), f"opsstatus:{ops.fk.id}") is True
    assert live.authorised(ops.actor("second_admin"), f"opsstatus:{ops.fk.id}") is False
    sent: list[str] = []
    monkeypatch.setattr(live, "publish", lambda topic, event=None: sent.append(topic))
    services.outage_record(
        actor=ops.actor("operator"),
        service_code="APP",
        summary="x",
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert sorted(sent) == sorted([f"opsstatus:{ops.fk.id}", f"opsstatus:{ops.a.id}"])
