"""The restore drills page and API (issue 18 item 1, ADR 0915): every drill newest first with
its achieved RPO and RTO, the provider's running services against the newest drill, a page that
says what to do when no drill has run; customers get 404."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from samdrift.continuity import pitr
from samdrift.continuity.models import RestoreDrill
from samdrift.continuity.selectors import archiving_against
from samdrift.tests.factories import MembershipFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def _drill(hours_ago: float, succeeded: bool, rpo: int | None, rto: float, problems=()):
    started = timezone.now() - datetime.timedelta(hours=hours_ago)
    return RestoreDrill.objects.create(
        started_at=started, finished_at=started + datetime.timedelta(seconds=rto),
        backup_name=f"samdrift-{hours_ago}.backup", succeeded=succeeded, problems=list(problems),
        rpo_seconds=rpo, rto_seconds=rto, tables=120, rows=5000, files=12,
    )  # fmt: skip


def test_the_drills_page_lists_drills_and_measures_services_against_the_newest(
    landscape, provider_admin, client_for
):
    client = client_for(provider_admin)
    empty = client.get("/continuity/drills/").content.decode()
    assert "Ingen återläsningsövning har körts" in empty
    _drill(48, False, None, 3.5, ["checksum of table billing_invoice differs"])
    _drill(2, True, 1800, 42.0)
    client.cookies["django_language"] = "en"
    body = client.get("/continuity/drills/").content.decode()
    assert body.index("samdrift-2.backup") < body.index("samdrift-48.backup")
    assert "Restored and identical" in body and "checksum of table billing_invoice differs" in body
    assert "120 tables, 5000 rows, 12 files" in body
    assert "Your services against the newest drill" in body
    # the API pages the same drills
    api = client.get("/api/v1/continuity/drills?limit=1").json()
    assert api["count"] == 2 and api["items"][0]["backup"] == "samdrift-2.backup"
    assert api["items"][0]["rpo_seconds"] == 1800


def test_a_customer_gets_404_for_the_drills(landscape, client_for, agency):
    user = UserFactory(username="kund-drills")
    MembershipFactory(user=user, organisation=agency, role="contact")
    client = client_for(user)
    assert client.get("/continuity/drills/").status_code == 404
    assert client.get("/api/v1/continuity/drills").status_code == 404


def test_the_archive_measures_each_services_rpo_target():
    now = timezone.now()
    services = [ServiceFactory.build(code="TIGHT", rpo_hours=0), ServiceFactory.build(rpo_hours=1)]
    state = archiving_against(
        on=True, last=now - datetime.timedelta(seconds=90), failed=2, now=now, services=services
    )
    assert state.achieved_rpo_seconds == 90 and state.failed == 2
    assert [(t.code, t.rpo_met) for t in state.targets] == [
        ("TIGHT", False),
        (services[1].code, True),
    ]
    # archiving off, or nothing archived yet: no moment can be restored, no target is met
    for on, last in ((False, now), (True, None)):
        idle = archiving_against(on=on, last=last, failed=0, now=now, services=services)
        assert idle.achieved_rpo_seconds is None and not any(t.rpo_met for t in idle.targets)


def test_the_drills_page_shows_continuous_archiving_on_postgresql_only(
    landscape, provider_admin, client_for
):
    client = client_for(provider_admin)
    client.cookies["django_language"] = "en"
    body = client.get("/continuity/drills/").content.decode()
    api = client.get("/api/v1/continuity/archiving").json()
    if connection.vendor != "postgresql":  # SQLite: the drills' backups are what is restorable
        assert "Continuous archiving" not in body
        assert api == {"supported": False, "on": False, "last_archived_at": None, "failed": 0,
                       "achieved_rpo_seconds": None, "services": []}  # fmt: skip
        return
    # the test server does not archive (the real archiving cluster is test_pitr.py's)
    with connection.cursor() as cursor:
        on, _last, _failed = pitr.archiving_now(cursor)
    assert not on
    assert "Continuous archiving (point-in-time recovery)" in body
    assert "PostgreSQL does not archive its write-ahead log" in body
    assert api["supported"] and not api["on"] and api["achieved_rpo_seconds"] is None
    assert api["services"] and not any(s["rpo_met"] for s in api["services"])


def test_a_customer_gets_404_for_the_archive(landscape, client_for, agency):
    user = UserFactory(username="kund-archive")
    MembershipFactory(user=user, organisation=agency, role="contact")
    assert client_for(user).get("/api/v1/continuity/archiving").status_code == 404
