"""The restore drills page and API (issue 18 item 1, ADR 0915): every drill newest first with
its achieved RPO and RTO, the provider's running services against the newest drill, a page that
says what to do when no drill has run; customers get 404."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samdrift.continuity.models import RestoreDrill
from samdrift.tests.factories import MembershipFactory, UserFactory

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
