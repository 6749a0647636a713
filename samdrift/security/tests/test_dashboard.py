"""The SOC's dashboard (issue 17 item 5, ADR 0959): open findings by severity and age, agencies
whose deadlines pass (through the reach of the service graph), mean time to remediate per
service; for the provider's SOC only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samdrift.security import services
from samdrift.security.dashboard import soc_dashboard
from samdrift.security.models import Finding

from .conftest import member_of, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(soc, landscape):
    services.import_report(
        actor=soc, component_name="efos-web", data=sample("trivy/scheme_2_many_vulns.json")
    )
    return landscape


def test_ages_deadlines_per_agency_and_time_to_remediate(soc, imported):
    now = timezone.now()
    critical = Finding.objects.get(vulnerability_id="CVE-2019-12900")
    critical.first_seen = now - datetime.timedelta(days=10)  # 7-day deadline: 3 days late
    critical.save()
    fixed = Finding.objects.exclude(pk=critical.pk).order_by("id").first()
    fixed.status, fixed.first_seen, fixed.fixed_at = "fixed", now - datetime.timedelta(days=6), now
    fixed.save()
    board = soc_dashboard(actor=soc, today=timezone.localdate())
    ages = {row.severity: row.counts for row in board.ages}
    assert ages["critical"] == [0, 1, 0, 0]
    assert board.open_total == 4
    # EFOS runs the component; SAFOS depends on EFOS: Myndighet A (SAFOS) and C (EFOS) are
    # reached, B (KAP) is not.
    rows = {a.name: (a.overdue, a.due_soon) for a in board.agencies}
    assert rows["Myndighet A"][0] == 1 and rows["Myndighet C"][0] == 1
    assert "Myndighet B" not in rows
    [mttr] = board.mttr
    assert mttr.code == "EFOS" and mttr.fixed == 1 and round(mttr.mean_days) == 6


def test_the_page_for_the_soc_and_404_for_a_customer(soc, imported, security_officer, client_for):
    page = client_for(security_officer).get("/security/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Öppna fynd efter allvarlighet och ålder" in body and 'role="img"' in body
    customer = member_of(imported["a"], "anna")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=customer.user_id)
    assert client_for(user).get("/security/").status_code == 404
