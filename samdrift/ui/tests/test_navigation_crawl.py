"""Navigation from abilities (issue 21 item 2): nothing the site offers a person answers 403.

Logged in as every demo user (README's table: every role, customer and provider), the test starts
at the start page and follows every same-origin link and every GET form on every page it reaches,
bounded (a few addresses per URL pattern, a ceiling per user). No page it is offered may refuse
it (403) or fail (500): what a role may not open is not shown, from the same abilities the pages
enforce (`samdrift.ui.access`, ADR 0701). Logged in as after the e-ID step-up (loa3), as the
finance officer who met "EFOS" and a 403 was (issue 21).
"""

from __future__ import annotations

from collections import Counter, deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from samdrift.accounts.demo import DEMO_USERS
from samdrift.accounts.models import User
from samdrift.core.tenancy import LOGIN_SESSION_KEY
from samdrift.demo.foundation import load_foundation
from samdrift.demo.management.commands.demo import DEMO_HOOKS, Command

pytestmark = pytest.mark.django_db

PER_PATTERN = 3  # addresses followed per URL pattern (and query shape) per user
PER_USER = 250  # pages per user at most
SKIPPED_PREFIXES = ("/static/", "/i18n/", "/media/")


class _Offers(HTMLParser):
    """The links and GET forms (with their fields' default values) of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None
        self._select: str | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = a.get("method", "get").lower()
            self._form = (a.get("action", ""), []) if method == "get" else None
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._form[1].append((a["name"], a.get("value", "")))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select, self._select_first = a["name"], None
        elif (
            self._form is not None
            and tag == "option"
            and self._select
            and (self._select_first is None or "selected" in a)
        ):
            self._select_first = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._form is not None and self._select:
            self._form[1].append((self._select, self._select_first or ""))
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _offers(page_url: str, html: str) -> list[str]:
    parser = _Offers()
    parser.feed(html)
    found = [urljoin(page_url, href) for href in parser.links]
    for action, fields in parser.forms:
        target = urljoin(page_url, action or page_url).split("?")[0]
        found.append(f"{target}?{urlencode(fields)}" if fields else target)
    return found


def _pattern(url: str) -> str:
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return f"{route}?{','.join(keys)}"


def _crawl(client: Client) -> tuple[list[str], list[str]]:
    """Visit what the start page offers, breadth first. Returns (visited, problems)."""
    seen: set[str] = set()
    per_pattern: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < PER_USER:
        url, source = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # another origin (the e-ID provider, a public document)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen or parts.path.startswith(SKIPPED_PREFIXES):
            continue
        seen.add(path)
        pattern = _pattern(path)
        if per_pattern[pattern] >= PER_PATTERN:
            continue
        per_pattern[pattern] += 1
        response = client.get(path)
        visited.append(path)
        if response.status_code in (403, 405) or response.status_code >= 500:
            problems.append(f"{path} (offered on {source}): HTTP {response.status_code}")
            continue
        kind = response.get("Content-Type", "")
        if response.status_code == 200 and kind.startswith("text/html"):
            html = response.content.decode()
            queue.extend((found, path) for found in _offers(f"http://testserver{path}", html))
    return visited, problems


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_foundation()
        command = Command(stdout=StringIO())
        for app in DEMO_HOOKS:
            command._run_hook(app)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("username", [row[0] for row in DEMO_USERS])
def test_every_role_is_offered_nothing_it_may_not_open(demo_world, username):
    client = Client(raise_request_exception=False)
    user = User.objects.get(username=username)
    client.force_login(user)
    # As after the e-ID step-up (loa3), so EFOS's pages answer rather than ask for the step-up.
    session = client.session
    session[LOGIN_SESSION_KEY] = {"user_id": user.pk, "rank": 3}
    session.save()
    visited, problems = _crawl(client)
    assert len(visited) >= 5, visited
    assert problems == [], "\n".join(problems)
