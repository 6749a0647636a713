"""Every operations page in Chromium with axe-core (WCAG 2.1 A and AA), in Swedish and English,
as a provider operator (who sees every clock and the state form) and as an agency member."""

from __future__ import annotations

import shutil
from pathlib import Path

import axe_playwright_python
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import sync_playwright

from samdrift.operations import services

from .conftest import MONDAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _violations(page, url: str) -> list[str]:
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [f"{url}: {v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]  # fmt: skip


def _session(ops, name: str) -> str:
    client = Client()
    client.force_login(ops.users[name])
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_operations_page_passes_axe(live_server, ops, language):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required (scripts/ensure-browser.sh installs it)"
    incident = services.incident_open(
        actor=ops.actor("operator"),
        service_code="BASE",
        title="Nere",
        impact=1,
        urgency=1,
        now=MONDAY,
    )
    services.incident_set_major(actor=ops.actor("operator"), incident_id=incident.id, major=True)
    services.incident_classify(
        actor=ops.actor("operator"), incident_id=incident.id, regimes=["cert-se", "gdpr-33"]
    )
    urls = ["/operations/", "/operations/report/", f"/operations/incidents/{incident.id}/"]
    # Legal reporting is the operators' only (ADR 0844): an unrecorded and a recorded report.
    services.legal_report_record(
        actor=ops.actor("operator"),
        incident_id=incident.id,
        key=f"gdpr-33/processor-notice:{ops.b.id}",
        content={"informed": "Per telefon till registratorn."},
    )
    legal = f"/operations/incidents/{incident.id}/legal"
    # Responsibility matrices (ADR 0845): one that cannot take effect (two A), one in effect
    # that the incident is routed by.
    text = "Drift;R;Myndighet A\nDrift;A;Försäkringskassan\nDrift;I;Myndighet B"
    invalid = services.matrix_draft(
        actor=ops.actor("operator"), service_code="BASE", name="Gemensam drift",
        effective_from=timezone.localdate(), text=text + "\nDrift;A;Myndighet A",
    )  # fmt: skip
    valid = services.matrix_draft(
        actor=ops.actor("operator"), service_code="BASE", name="Gemensam drift",
        effective_from=timezone.localdate(), text=text,
    )  # fmt: skip
    services.matrix_publish(actor=ops.actor("operator"), matrix_id=valid.pk)
    services.incident_route(actor=ops.actor("operator"), incident_id=incident.id, function="Drift")
    services.capacity_import(
        actor=ops.actor("operator"),
        text="\n".join(
            f"BASE;users;2026-11-{day:02d} 09:00;{100 + 7 * day}" for day in range(1, 29)
        ),
    )
    services.capacity_metric_set(
        actor=ops.actor("operator"), service_code="BASE", kind="users", capacity="400"
    )
    problem = services.problem_open(actor=ops.actor("operator"), service_code="BASE", title="Orsak")
    change = services.change_create(
        actor=ops.actor("operator"), service_code="BASE", kind="normal", title="Uppgradering",
        window_start="2030-01-01T22:00", window_end="2030-01-02T01:00",
    )  # fmt: skip
    operator_only = [
        "/operations/problems/",
        f"/operations/problems/{problem.pk}/",
        "/operations/changes/",
        f"/operations/changes/{change.pk}/",
        "/operations/capacity/",
        "/operations/capacity/BASE/",
        f"{legal}/cert-se/first/",
        f"{legal}/gdpr-33/processor-notice/{ops.b.id}/",
        "/operations/matrices/",
        f"/operations/matrices/{invalid.pk}/",
        f"/operations/matrices/{valid.pk}/",
    ]
    sessions = {name: _session(ops, name) for name in ("operator", "a_member")}
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, session in sessions.items():
            context = browser.new_context(bypass_csp=True)
            context.add_cookies(
                [
                    {"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                     "url": live_server.url},
                    {"name": settings.SESSION_COOKIE_NAME, "value": session,
                     "url": live_server.url},
                ]
            )  # fmt: skip
            page = context.new_page()
            for url in urls + (operator_only if name == "operator" else []):
                response = page.goto(f"{live_server.url}{url}")
                assert response is not None and response.status == 200, url
                assert page.locator("html").get_attribute("lang") == language
                problems.extend(_violations(page, f"{name} {url}"))
            context.close()
        browser.close()
    assert problems == []
