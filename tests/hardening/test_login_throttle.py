"""Login throttling per account and per address, over real HTTP to a served samdrift (ADR 0038)."""

from __future__ import annotations

import re

import pytest
import requests
from django.core.cache import cache

from samdrift.accounts.models import User
from samdrift.audit.models import SecurityLogEntry
from samdrift.core import throttle

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "rätt-lösenord-123"
SV = "För många misslyckade inloggningsförsök. Vänta 15 minuter"
EN = "Too many failed login attempts. Wait 15 minutes"


@pytest.fixture
def limits(settings):  # type: ignore[no-untyped-def]
    settings.SAMDRIFT_LOGIN_THROTTLE = {"account": (3, 900), "address": (6, 900)}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def users(db):  # type: ignore[no-untyped-def]
    return [User.objects.create_user(name, password=PASSWORD) for name in ("anna", "bertil")]


def post_login(
    server: str, username: str, password: str, language: str = "sv"
) -> requests.Response:
    session = requests.Session()
    session.cookies.set("django_language", language)
    page = session.get(f"{server}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    return session.post(
        f"{server}/accounts/login/",
        data={"csrfmiddlewaretoken": token[1], "username": username, "password": password},
        headers={"Referer": f"{server}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )


def test_an_account_is_blocked_after_its_failures_even_with_the_right_password(
    live_server, limits, users
) -> None:
    for _ in range(3):
        assert post_login(live_server.url, "anna", "fel").status_code == 200
    blocked = post_login(live_server.url, "anna", PASSWORD)
    assert blocked.status_code == 429
    assert SV in blocked.text
    assert "sessionid" not in blocked.cookies
    english = post_login(live_server.url, "anna", PASSWORD, language="en")
    assert english.status_code == 429 and EN in english.text
    # Another account from the same address is not blocked by anna's failures.
    assert post_login(live_server.url, "bertil", PASSWORD).status_code == 302


def test_unknown_and_known_names_get_the_same_answers(live_server, limits, users) -> None:
    answers = {}
    for name in ("anna", "finns-inte"):
        cache.clear()  # each name on a fresh address count
        steps = [post_login(live_server.url, name, "fel") for _ in range(4)]
        answers[name] = [(r.status_code, SV in r.text) for r in steps]
    assert (
        answers["anna"]
        == answers["finns-inte"]
        == [
            (200, False),
            (200, False),
            (200, False),
            (429, True),
        ]
    )


def test_an_address_is_blocked_across_accounts_and_a_success_does_not_clear_it(
    live_server, limits, users
) -> None:
    # Two failures each on three names: six for the address, under each account's limit.
    for name in ("x1", "x2", "x3"):
        for _ in range(2):
            assert post_login(live_server.url, name, "fel").status_code == 200
    # bertil's correct password is refused too now: the address is blocked.
    assert post_login(live_server.url, "bertil", PASSWORD).status_code == 429


def test_a_success_takes_only_its_own_attempt_off_the_address(live_server, limits, users) -> None:
    for name in ("x1", "x2", "x3", "x4", "x5"):
        post_login(live_server.url, name, "fel")
    assert post_login(live_server.url, "bertil", PASSWORD).status_code == 302
    post_login(live_server.url, "x6", "fel")  # the sixth failure of the address
    assert post_login(live_server.url, "anna", PASSWORD).status_code == 429


def test_failures_and_blocks_reach_the_security_log(live_server, limits, users) -> None:
    for _ in range(4):
        post_login(live_server.url, "anna", "fel")
    kinds = dict(SecurityLogEntry.objects.values_list("kind", "count"))
    assert kinds["login_failed"] == 3
    assert kinds["login_throttled"] == 1


def test_wrong_api_tokens_block_the_address_with_a_bilingual_401(
    live_server, limits, users
) -> None:
    url = f"{live_server.url}/api/v1/me/tokens"
    for _ in range(6):
        wrong = requests.get(url, headers={"Authorization": "Bearer sd_wrong"}, timeout=10)
        assert wrong.status_code == 401
        assert wrong.json()["code"] == "unauthenticated"
    blocked = requests.get(url, headers={"Authorization": "Bearer sd_wrong"}, timeout=10)
    assert blocked.status_code == 401
    body = blocked.json()
    assert body["code"] == "login_throttled"
    assert SV in body["message_sv"] and EN in body["message_en"]


def test_the_counter_is_atomic_in_the_cache(limits) -> None:
    """Counted before the password check: the fourth attempt is refused without a failure."""
    waits = [throttle.attempt(username="anna", address="192.0.2.1") for _ in range(4)]
    assert waits[:3] == [0, 0, 0]
    assert 890 <= waits[3] <= 900
