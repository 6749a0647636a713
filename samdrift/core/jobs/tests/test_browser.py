"""The jobs pages in headless Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and English,
with a running, a failed and a finished job; the list reached and followed by keyboard."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from samdrift.core.actor import Actor
from samdrift.core.jobs import progress, queue
from samdrift.core.jobs.models import Job
from samdrift.core.jobs.origin import queued_by
from samdrift.core.jobs.worker import Worker
from samdrift.tests.browser import axe_violations

from . import sample_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"


@pytest.fixture
def owner():  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(username="jobowner", password=PASSWORD)
    with queued_by(Actor(user_id=user.id, label="owner"), label="Fakturakörning"):
        finished = sample_tasks.counting.enqueue(3)
        failed = sample_tasks.refused.enqueue()
    Worker(burst=True).run()
    with queued_by(Actor(user_id=user.id, label="owner"), label="Rapport"):
        running = sample_tasks.counting.enqueue(8)
    job = queue.claim(worker_id="w", lease_seconds=300, queues=["default"])
    assert job is not None and job.id == int(running.id)
    token = progress._running.set(progress.Running(job, "w", 300))
    try:
        progress.report(2, 8, "2 of 8 agencies")
    finally:
        progress._running.reset(token)
    user.job_ids = [int(r.id) for r in (finished, failed, running)]  # type: ignore[attr-defined]
    return user


def _page(browser, live_server, user, language):  # type: ignore[no-untyped-def]
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#local-login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.parametrize("language", ["sv", "en"])
def test_jobs_pages_pass_axe(owner, browser, live_server, language):
    page = _page(browser, live_server, owner, language)
    problems: list[str] = []
    for url in ["/jobs/", *(f"/jobs/{job_id}/" for job_id in owner.job_ids)]:
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        assert page.locator("html").get_attribute("lang") == language
        problems.extend(axe_violations(page))
    assert problems == [], "\n".join(problems)


def test_a_job_is_opened_by_keyboard_and_shows_its_progress(owner, browser, live_server):
    page = _page(browser, live_server, owner, "sv")
    page.goto(f"{live_server.url}/jobs/")
    page.get_by_role("link", name="Rapport", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    bar = page.get_by_label("Förlopp")
    assert bar.evaluate("el => [el.tagName, el.value, el.max]") == ["PROGRESS", 2, 8]
    assert "2 of 8 agencies" in page.locator("#job-region").inner_text()
    assert Job.objects.filter(status="RUNNING").count() == 1
